/** The element-level three-way merge (src/sync/merge.ts), as a function. */
import { describe, expect, it } from 'vitest';
import { merge3 } from '../../src/sync/index.ts';

const plan = (activities: string[], extra: Record<string, unknown> = {}) => ({
  resourceType: 'CarePlan',
  status: 'draft',
  activity: activities.map((d) => ({ detail: { status: 'not-started', description: d } })),
  ...extra,
});

describe('changes to different elements all survive', () => {
  it('edits of different activities', () => {
    const base = plan(['a', 'b', 'c']);
    const { merged, conflicts } = merge3(base, plan(['A', 'b', 'c']), plan(['a', 'b', 'C']));
    expect(merged).toEqual(plan(['A', 'b', 'C']));
    expect(conflicts).toEqual([]);
  });

  it('an activity added on each side: both kept, the server\'s first', () => {
    const { merged, conflicts } = merge3(plan(['a']), plan(['a', 'local']), plan(['a', 'remote']));
    expect(merged).toEqual(plan(['a', 'remote', 'local']));
    expect(conflicts).toEqual([]);
  });

  it('a goal added on one side while the other edits an activity', () => {
    const base = plan(['a', 'b'], { goal: [{ reference: 'Goal/1' }] });
    const local = plan(['a', 'B'], { goal: [{ reference: 'Goal/1' }] });
    const remote = plan(['a', 'b'], { goal: [{ reference: 'Goal/1' }, { reference: 'Goal/2' }] });
    expect(merge3(base, local, remote).merged).toEqual(plan(['a', 'B'], { goal: [{ reference: 'Goal/1' }, { reference: 'Goal/2' }] }));
  });

  it('entries with ids are matched by id: an insertion on one side does not shift the other side\'s edit', () => {
    const act = (id: string, d: string) => ({ id, detail: { description: d } });
    const base = { activity: [act('x', 'x'), act('y', 'y')] };
    const local = { activity: [act('x', 'x'), act('y', 'Y')] };
    const remote = { activity: [act('new', 'n'), act('x', 'x'), act('y', 'y')] };
    expect(merge3(base, local, remote)).toMatchObject({ merged: { activity: [act('new', 'n'), act('x', 'x'), act('y', 'Y')] }, conflicts: [] });
  });

  it('extensions are matched by url', () => {
    const ext = (url: string, v: string) => ({ url, valueString: v });
    const base = { extension: [ext('u1', 'a'), ext('u2', 'b')] };
    const local = { extension: [ext('u1', 'A'), ext('u2', 'b')] };
    const remote = { extension: [ext('u2', 'B'), ext('u3', 'c')] };
    // u1 was removed remotely while changed locally: a conflict (the removal, from the server, wins)
    const { merged, conflicts } = merge3(base, local, remote);
    expect(merged).toEqual({ extension: [ext('u2', 'B'), ext('u3', 'c')] });
    expect(conflicts).toEqual([{ path: '/extension/0', kept: undefined, lost: ext('u1', 'A') }]);
  });

  it('a change on one side only, or the same change on both, is no conflict', () => {
    expect(merge3(plan(['a']), plan(['a']), plan(['b'])).merged).toEqual(plan(['b']));
    expect(merge3(plan(['a']), plan(['b']), plan(['a'])).merged).toEqual(plan(['b']));
    expect(merge3(plan(['a']), plan(['b']), plan(['b']))).toMatchObject({ merged: plan(['b']), conflicts: [] });
  });
});

describe('the same element changed on both sides', () => {
  it("keeps the server's value and reports the local one", () => {
    const { merged, conflicts } = merge3(plan(['a', 'b']), plan(['local', 'b']), plan(['remote', 'b']));
    expect(merged).toEqual(plan(['remote', 'b']));
    expect(conflicts).toEqual([{ path: '/activity/0/detail/description', kept: 'remote', lost: 'local' }]);
  });

  it('a removal against an edit is a conflict too, whichever side removed', () => {
    const base = { title: 't', note: 'n' };
    expect(merge3(base, { title: 't' }, { title: 't', note: 'edited' }).conflicts).toEqual([{ path: '/note', kept: 'edited', lost: undefined }]);
    expect(merge3(base, { title: 't', note: 'edited' }, { title: 't' }).conflicts).toEqual([{ path: '/note', kept: undefined, lost: 'edited' }]);
  });

  it('a list shortened on one side and lengthened on the other is one conflict on the list', () => {
    const { merged, conflicts } = merge3(plan(['a', 'b']), plan(['a']), plan(['a', 'b', 'c']));
    expect(merged).toEqual(plan(['a', 'b', 'c']));
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]?.path).toBe('/activity');
  });

  it('an entry removed on one side while another is edited on the other: the whole list is one conflict, no entry dropped unnoticed', () => {
    const note = (...t: string[]) => ({ note: t.map((text) => ({ text })) });
    // Here: removed "a", added "c". There: edited "a". Matching by position would lose "b".
    const { merged, conflicts } = merge3(note('a', 'b'), note('b', 'c'), note('a2', 'b'));
    expect(merged).toEqual(note('a2', 'b'));
    expect(conflicts).toEqual([{ path: '/note', kept: note('a2', 'b').note, lost: note('b', 'c').note }]);
  });

  it('the same entry appended twice here and once there is kept twice', () => {
    const note = (...t: string[]) => ({ note: t.map((text) => ({ text })) });
    expect(merge3(note(), note('x', 'x'), note('x')).merged).toEqual(note('x', 'x'));
  });

  it('with no shared version every difference is a conflict, none silently resolved', () => {
    const { conflicts } = merge3(undefined, { title: 'x', status: 'draft' }, { title: 'y', status: 'draft' });
    expect(conflicts).toEqual([{ path: '/title', kept: 'y', lost: 'x' }]);
  });

  it('does not change its inputs', () => {
    const base = plan(['a']);
    const local = plan(['b']);
    const remote = plan(['c']);
    const copies = structuredClone([base, local, remote]);
    merge3(base, local, remote);
    expect([base, local, remote]).toEqual(copies);
  });
});
