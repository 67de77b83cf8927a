/**
 * The plan's versions, newest first, each as what changed from the one
 * before, in words (change-words.ts), with who and when. The history is the
 * FHIR one (`CarePlan/{id}/_history`), narrowed by the access rules like any
 * read; who wrote each version is on its entry (the samplan-version-author
 * extension), named like the patient page's readers (shared/people.ts).
 */
import { call, resourcesOf } from '../../shared/fhir.ts';
import { changeList, editChanges } from '../../shared/change-words.ts';
import { h, mount } from '../../shared/dom.ts';
import { formatDateTime } from '../../shared/format.ts';
import { t } from '../../shared/i18n.ts';
import { peopleNamed, type Person } from '../../shared/people.ts';
import { agreementOf } from '../../shared/plan.ts';
import { loadPlan } from '../../shared/plan-data.ts';
import { EXTENSION } from '../../../validation/canonical.ts';
import { done, gone, loadingView } from '../../shared/states.ts';
import type { TeamContext } from '../context.ts';
import { planNav } from './plan-nav.ts';

export async function historyView(ctx: TeamContext, id: string): Promise<void> {
  loadingView(ctx.main, t('loading.plan'));
  const [{ body }, { teams }] = await Promise.all([call<fhir4.Bundle>(ctx.session, `CarePlan/${encodeURIComponent(id)}/_history?_count=100`), loadPlan(ctx.session, id)]);
  const authors = new Map((body.entry ?? []).flatMap((e) => (e.resource?.meta?.versionId ? [[e.resource.meta.versionId, authorOf(e)] as const] : [])));
  const people = await peopleNamed(ctx.session, teams, [...authors.values()].flatMap((a) => (a?.reference ? [a.reference] : [])));
  if (gone(ctx)) return;
  done(ctx.main);
  const versions = resourcesOf<fhir4.CarePlan>(body, 'CarePlan').sort((a, b) => Number(b.meta?.versionId) - Number(a.meta?.versionId));
  document.title = `${t('team.nav.history')} – ${t('team.name')}`;
  mount(
    ctx.main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, t('team.worklist'))),
    h('h1', { tabindex: '-1' }, t('team.history.title', { plan: versions[0]?.title ?? '' })),
    planNav(id, 'history'),
    h('ol', { class: 'history', reversed: true, 'data-testid': 'history' },
      versions.map((v, i) => {
        const before = versions[i + 1];
        const agreedNow = before && agreementOf(v)?.agreedAt !== agreementOf(before)?.agreedAt && agreementOf(v)?.status === 'current';
        return h('li', {},
          h('h2', { class: 'h3' }, t('team.version', { v: v.meta?.versionId ?? '' }), ' · ', h('time', { datetime: v.meta?.lastUpdated }, formatDateTime(v.meta?.lastUpdated))),
          byLine(authors.get(v.meta?.versionId ?? ''), people),
          before ? changeList(editChanges(before, v), `changes-${v.meta?.versionId}`) : h('p', {}, t('team.history.created')),
          agreedNow ? h('p', { class: 'notice' }, t('team.history.agreed')) : null,
        );
      }),
    ),
  );
}

function authorOf(entry: fhir4.BundleEntry): fhir4.Reference | undefined {
  return entry.request?.extension?.find((x) => x.url === EXTENSION.versionAuthor)?.valueReference;
}

/** "By Anna Berg, fast vårdkontakt, Vårdcentralen Testhamn"; a system client by its name; nothing when not recorded. */
function byLine(author: fhir4.Reference | undefined, people: Map<string, Person>): HTMLElement | null {
  if (!author) return null;
  const person = author.reference ? people.get(author.reference) : undefined;
  const text = person
    ? t('team.history.by', { who: [person.name, person.detail].filter(Boolean).join(', ') })
    : t('team.history.bySystem', { name: author.display ?? author.reference ?? '' });
  return h('p', { class: 'muted', 'data-testid': 'version-author' }, text);
}
