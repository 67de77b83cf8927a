/**
 * A refused save's OperationOutcome, next to the fields it is about: each
 * issue's `expression` (FHIRPath) is matched to the field editing that
 * element, or the nearest one above it (`CarePlan.activity[2].detail` finds
 * the measure's first field); what matches no field is listed at the top.
 * Fields get aria-invalid and aria-describedby, so a screen reader reads the
 * message with the field.
 */
import { h, mount } from '../../shared/dom.ts';
import { FhirProblem } from '../../shared/fhir.ts';
import { problemContent } from '../../shared/words.ts';

export function clearErrors(form: HTMLElement): void {
  for (const e of form.querySelectorAll('.field-error')) e.remove();
  for (const f of form.querySelectorAll('[aria-invalid]')) {
    f.removeAttribute('aria-invalid');
    f.removeAttribute('aria-describedby');
  }
  const top = form.querySelector('.form-problems');
  if (top) mount(top);
}

function fieldFor(form: HTMLElement, expression: string): HTMLElement | undefined {
  const fields = [...form.querySelectorAll<HTMLElement>('[data-expression]')].filter((f) => !f.classList.contains('form-problems'));
  // Exact first; then a field inside the element named (the first field of a measure); then the element's parent.
  // `data-also`: another element the field answers for (the status answers for the agreement an active plan needs).
  const exact = fields.find((f) => f.dataset['expression'] === expression || f.dataset['also'] === expression);
  if (exact) return exact;
  const inside = fields.find((f) => f.dataset['expression']!.startsWith(`${expression}.`));
  if (inside) return inside;
  const parent = fields.filter((f) => expression.startsWith(`${f.dataset['expression']}.`) || expression.startsWith(`${f.dataset['expression']}[`)).sort((a, b) => b.dataset['expression']!.length - a.dataset['expression']!.length)[0];
  return parent;
}

let n = 0;
/** Shows the problem; answers the first field it marked (to take focus), or the summary at the top. */
export function showErrors(form: HTMLElement, err: unknown): HTMLElement {
  clearErrors(form);
  const top = form.querySelector<HTMLElement>('.form-problems')!;
  const issues = err instanceof FhirProblem ? (err.outcome?.issue ?? []) : [];
  let first: HTMLElement | undefined;
  const unplaced: fhir4.OperationOutcomeIssue[] = [];
  for (const issue of issues) {
    const field = issue.expression?.map((e) => fieldFor(form, e)).find((f) => f);
    if (!field) {
      unplaced.push(issue);
      continue;
    }
    const id = `err-${++n}`;
    field.setAttribute('aria-invalid', 'true');
    field.setAttribute('aria-describedby', [field.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
    field.insertAdjacentElement('afterend', h('p', { class: 'field-error problem', id, 'data-testid': 'field-error' }, h('span', { lang: 'en' }, issue.diagnostics ?? issue.details?.text ?? issue.code)));
    first ??= field;
  }
  if (unplaced.length > 0 || issues.length === 0) {
    const only = new FhirProblem(err instanceof FhirProblem ? err.kind : 'other', err instanceof FhirProblem ? err.status : 0, { resourceType: 'OperationOutcome', issue: unplaced });
    mount(top, h('p', { class: 'problem', role: 'alert' }, ...problemContent(only)));
  }
  return first ?? top;
}
