/**
 * The one pass over a period's data that every indicator is computed from.
 *
 * Plans unchanged since the period began are read once from the projection,
 * by the index (`status=active`: a plan that was not active and did not
 * change counts nowhere). Every version written since is read day by day
 * from the versions collection, by the day keys every version carries
 * (search/keys.ts), oldest first; the first time a plan shows up, the
 * version before it (one `_id` probe) says how it stood when the period
 * began. So what counts is always the plan as it stood on the date being
 * judged, never as it is today, and nothing holds more than one day's
 * versions and one small fact per plan (facts.ts).
 *
 * What the pass reports, to a Sink:
 *   state        each plan as it stood at each month's end (monthEnds)
 *   followUp     each follow-up date in the period that has passed, met or not
 *   agreement    each plan's first agreement in the period, with the days it took
 *   now          each plan as it stands now (what is overdue now)
 */
import type { VersionDoc, VersionedStore, ResourceDoc } from '../store/index.ts';
import { dayKey, termKey } from '../store/search/keys.ts';
import { factOf, type Names, type PlanFact } from './facts.ts';
import { daysBetween, localDate, monthEnds, startOfLocalDay, type MonthEnd } from './local-time.ts';

export interface Sink {
  state(fact: PlanFact, month: string, last: boolean): void;
  followUp(fact: PlanFact, date: string, met: boolean): void;
  agreement(fact: PlanFact, on: string, days: number): void;
  now(fact: PlanFact): void;
}

export interface Period {
  /** First and last local day, inclusive (YYYY-MM-DD). */
  first: string;
  last: string;
}

export interface WalkFigures {
  /** Plans read from the projection (active, unchanged since the period began). */
  unchanged: number;
  /** Versions read from the days of the period and after. */
  versions: number;
  /** Versions read to know how a plan stood when the period began. */
  before: number;
}

/** A plan the walk has seen change: how it stands as of the walk's point in time. */
interface Tracked {
  fact: PlanFact | null;
  /** The follow-up date it owes (passed or not), and the fact it was set by. */
  owed?: { date: string; fact: PlanFact };
  /** The latest follow-up date already judged: a plan keeps a missed date until someone sets another, and it is judged once. */
  judged?: string;
  /** It had an agreement before the version in hand. */
  agreedBefore: boolean;
  /** When it was made (local date), for the days to its first agreement. */
  createdOn?: string;
}

const TYPE = 'CarePlan';
const BATCH = 500;

export async function walkPlans(versions: VersionedStore, period: Period, sink: Sink, names: Names = new Map()): Promise<WalkFigures> {
  const now = versions.now();
  const today = localDate(now);
  const start = startOfLocalDay(period.first);
  const months = monthEnds(period.first, period.last, now);
  const figures: WalkFigures = { unchanged: 0, versions: 0, before: 0 };
  const fact = (r: fhir4.CarePlan): PlanFact => factOf(r, names, (iso) => localDate(new Date(iso)));
  // A follow-up date counts when it is in the period and its day has passed.
  const counted = (d: string): boolean => d >= period.first && d <= period.last && d < today;
  const inPeriod = (d: string): boolean => d >= period.first && d <= period.last;

  // 1. Active plans that did not change since the period began: the same all through it.
  const projection = versions.models.resources(TYPE).find({ keys: termKey('status', 'active') }).lean<ResourceDoc[]>().cursor({ batchSize: BATCH });
  for await (const doc of projection) {
    if (doc.lastUpdated.getTime() >= start.getTime() || !doc.resource) continue;
    figures.unchanged++;
    const f = fact(doc.resource as fhir4.CarePlan);
    months.forEach((m, i) => sink.state(f, m.month, i === months.length - 1));
    if (f.reviewBy && counted(f.reviewBy)) sink.followUp(f, f.reviewBy, false);
    sink.now(f);
  }

  // 2. Every version since, oldest first, a day at a time.
  const tracked = new Map<string, Tracked>();
  let snapshotted = 0;
  const snapshotUpTo = (t: number): void => {
    for (; snapshotted < months.length && months[snapshotted]!.at.getTime() <= t; snapshotted++) snapshot(months[snapshotted]!, snapshotted === months.length - 1);
  };
  const snapshot = (m: MonthEnd, last: boolean): void => {
    for (const p of tracked.values()) if (p.fact?.status === 'active') sink.state(p.fact, m.month, last);
  };
  const firstSeen = async (doc: VersionDoc): Promise<Tracked> => {
    if (doc.versionId === 1) return { fact: null, agreedBefore: false, createdOn: localDate(doc.lastUpdated) };
    figures.before++;
    const [prior, first] = await Promise.all([versions.version(TYPE, doc.id, doc.versionId - 1), versions.version(TYPE, doc.id, 1)]);
    const f = prior && !prior.deleted && prior.resource ? fact(prior.resource as fhir4.CarePlan) : null;
    const p: Tracked = { fact: f, agreedBefore: !!f?.agreedOn, ...(first ? { createdOn: localDate(first.lastUpdated) } : {}) };
    if (f?.status === 'active') {
      // It stood so through the months already behind the walk.
      for (let i = 0; i < snapshotted; i++) sink.state(f, months[i]!.month, i === months.length - 1);
      if (f.reviewBy) p.owed = { date: f.reviewBy, fact: f };
    }
    return p;
  };

  const fromDay = new Date(start.getTime() - 86_400_000).toISOString().slice(0, 10);
  const days = (await versions.days(TYPE)).filter((d) => d >= fromDay).sort();
  for (const day of days) {
    const docs = (await versions.models.versions(TYPE).find({ keys: dayKey(new Date(`${day}T00:00:00Z`)) }).lean<VersionDoc[]>())
      .filter((d) => !d.txn && d.lastUpdated.getTime() >= start.getTime())
      .sort((a, b) => a.lastUpdated.getTime() - b.lastUpdated.getTime() || a.versionId - b.versionId);
    for (const doc of docs) {
      figures.versions++;
      snapshotUpTo(doc.lastUpdated.getTime());
      const p = tracked.get(doc.id) ?? (await firstSeen(doc));
      tracked.set(doc.id, p);
      const on = localDate(doc.lastUpdated);
      const next = doc.deleted || !doc.resource ? null : fact(doc.resource as fhir4.CarePlan);
      judgeFollowUp(p, on, next, counted, sink);
      if (next?.agreedOn && !p.agreedBefore) {
        p.agreedBefore = true;
        const created = next.createdOn ?? p.createdOn;
        if (inPeriod(next.agreedOn) && created && next.agreedOn >= created) sink.agreement(next, next.agreedOn, daysBetween(created, next.agreedOn));
      }
      if (next?.status === 'active' && next.reviewBy && !p.owed && (!p.judged || next.reviewBy > p.judged)) p.owed = { date: next.reviewBy, fact: next };
      p.fact = next;
    }
  }
  snapshotUpTo(Number.POSITIVE_INFINITY);
  for (const p of tracked.values()) {
    if (p.owed && counted(p.owed.date)) sink.followUp(p.owed.fact, p.owed.date, false);
    if (p.fact?.status === 'active') sink.now(p.fact);
  }
  return figures;
}

/**
 * A version written on local day `on` to a plan that owes a follow-up: if
 * the day passed, it was missed; else a later date set while active, or the
 * plan completed, meets it; a plan revoked, entered in error or deleted owes
 * nothing more. Any other change leaves the date owed (removing the date does
 * not excuse the follow-up).
 */
function judgeFollowUp(p: Tracked, on: string, next: PlanFact | null, counted: (d: string) => boolean, sink: Sink): void {
  const owed = p.owed;
  if (!owed) return;
  const done = (met?: boolean): void => {
    if (met !== undefined && counted(owed.date)) sink.followUp(owed.fact, owed.date, met);
    p.judged = owed.date;
    delete p.owed;
  };
  if (on > owed.date) done(false);
  else if (next?.status === 'completed' || (next?.status === 'active' && next.reviewBy !== undefined && next.reviewBy > owed.date)) done(true);
  else if (!next || next.status === 'revoked' || next.status === 'entered-in-error') done();
}

