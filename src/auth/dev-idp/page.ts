/**
 * The development provider's sign-in page: plain server-rendered HTML, no
 * script. A visible "development sign-in" banner on every page, because
 * choosing a name here is all it takes to act as that person. Each person is
 * a radio button with its own label, grouped by type in fieldsets with
 * legends, so the page reads well with a screen reader and a keyboard.
 */
import type { Person, SignInType } from './directory.ts';

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const HEADINGS: Record<SignInType, string> = {
  Patient: 'Patients',
  RelatedPerson: 'Next of kin (RelatedPerson)',
  Practitioner: 'Practitioners',
  PractitionerRole: 'Practitioner roles',
};

/** Inline styles: helmet's default CSP allows them (style-src 'unsafe-inline'); no script is used at all. */
const STYLE = `body{font-family:system-ui,sans-serif;margin:0 auto;max-width:40rem;padding:0 1rem 2rem;line-height:1.5}
.banner{background:#8a1c1c;color:#fff;padding:.5rem 1rem;font-weight:bold;margin:0 -1rem 1rem}
fieldset{margin:0 0 1rem;border:1px solid #999}label{display:block;padding:.15rem 0}
button{font-size:1rem;padding:.4rem 1.2rem}`;

export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)} — samplan development sign-in</title><style>${STYLE}</style></head>
<body>
<p class="banner" role="note">Development sign-in — not for real patients. Anyone who can open this page can sign in as anyone listed.</p>
<main>
<h1>${escape(title)}</h1>
${body}
</main>
</body>
</html>`;
}

export function loginPage(opts: { action: string; client: string; scope: string; people: Person[] }): string {
  const groups = (Object.keys(HEADINGS) as SignInType[]).map((type) => {
    const people = opts.people.filter((p) => p.type === type);
    const items = people.length
      ? people.map((p) => `<label><input type="radio" name="fhirUser" value="${escape(p.ref)}" required> ${escape(p.label)} <small>(${escape(p.ref)})</small></label>`).join('\n')
      : '<p>None in the database.</p>';
    return `<fieldset><legend>${escape(HEADINGS[type])}</legend>\n${items}\n</fieldset>`;
  });
  return layout(
    'Sign in as…',
    `<p>The app <strong>${escape(opts.client)}</strong> asks for: <code>${escape(opts.scope)}</code>. Consent is given for you.</p>
<form method="post" action="${escape(opts.action)}">
${groups.join('\n')}
<button type="submit">Sign in</button>
</form>`,
  );
}

export function messagePage(title: string, text: string): string {
  return layout(title, `<p>${escape(text)}</p>`);
}
