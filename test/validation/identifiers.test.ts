/**
 * Check digits of Swedish and Norwegian person identifiers, and the forms
 * accepted. Test numbers are fictitious (Skatteverket's classic 19121212-1212
 * "Tolvan Tolvansson" among them).
 */
import { describe, expect, it } from 'vitest';
import {
  checkIdentifier,
  checkNorwegianPersonId,
  checkOrganisasjonsnummer,
  checkSwedishPersonId,
  luhnValid,
  SYSTEM,
} from '../../src/validation/identifiers.ts';

describe('Luhn', () => {
  it('accepts a valid and refuses a changed digit string', () => {
    expect(luhnValid('1212121212')).toBe(true);
    expect(luhnValid('1212121213')).toBe(false);
  });
});

describe('Swedish personnummer', () => {
  it.each(['191212121212', '19121212-1212', '121212-1212', '1212121212', '121212+1212', '193604179980', '20090623-9983'])('accepts %s', (v) => {
    expect(checkSwedishPersonId(v, 'personnummer')).toBeUndefined();
  });
  it.each([
    ['191212121213', 'check digit'],
    ['19121212-121', 'form'],
    ['19121212_1212', 'form'],
    ['19121312-1219', 'date'], // month 13
    ['19230229-1239', 'date'], // 1923 is not a leap year
    ['1912121212+1212', 'form'],
    ['19121212+1212', "'+'"], // + only in the 10-digit form
    ['197010632391', 'samordningsnummer'], // day 63 = a samordningsnummer
  ])('refuses %s (%s)', (v, why) => {
    const problem = checkSwedishPersonId(v, 'personnummer');
    expect(problem).toBeDefined();
    if (why !== 'form' && why !== 'date' && why !== 'check digit') expect(problem).toContain(why);
  });
  it('takes 29 February in a leap year', () => {
    // 2000-02-29 with a computed check digit
    const base = '000229123';
    const check = [...Array(10).keys()].find((c) => luhnValid(`${base}${c}`));
    expect(checkSwedishPersonId(`20${base}${check}`, 'personnummer')).toBeUndefined();
  });
});

describe('Swedish samordningsnummer', () => {
  it('accepts day + 60', () => {
    expect(checkSwedishPersonId('197010632391', 'samordningsnummer')).toBeUndefined();
    expect(checkSwedishPersonId('701063-2391', 'samordningsnummer')).toBeUndefined();
  });
  it('refuses a personnummer, a wrong check digit, and day 92', () => {
    expect(checkSwedishPersonId('191212121212', 'samordningsnummer')).toContain('not a samordningsnummer');
    expect(checkSwedishPersonId('197010632392', 'samordningsnummer')).toContain('check digit');
    expect(checkSwedishPersonId('197010922391', 'samordningsnummer')).toContain('date');
  });
});

describe('Norwegian fødselsnummer and D-nummer', () => {
  it.each(['15019549973', '12084449944', '03027849910', '21069049963'])('accepts fødselsnummer %s', (v) => {
    expect(checkNorwegianPersonId(v, 'fodselsnummer')).toBeUndefined();
  });
  it.each(['54028749921', '55034849969'])('accepts D-nummer %s', (v) => {
    expect(checkNorwegianPersonId(v, 'd-nummer')).toBeUndefined();
  });
  it('refuses wrong check digits in either position', () => {
    expect(checkNorwegianPersonId('15019549983', 'fodselsnummer')).toContain('check digits');
    expect(checkNorwegianPersonId('15019549974', 'fodselsnummer')).toContain('check digits');
  });
  it('refuses the wrong kind, bad length and impossible dates', () => {
    expect(checkNorwegianPersonId('54028749921', 'fodselsnummer')).toContain('D-nummer');
    expect(checkNorwegianPersonId('15019549973', 'd-nummer')).toContain('not a D-nummer');
    expect(checkNorwegianPersonId('1501954997', 'fodselsnummer')).toContain('11 digits');
    expect(checkNorwegianPersonId('150195 49973', 'fodselsnummer')).toContain('11 digits');
    expect(checkNorwegianPersonId('32019549973', 'fodselsnummer')).toContain('date');
  });
});

describe('other identifiers', () => {
  it('checks the Norwegian organisasjonsnummer check digit', () => {
    expect(checkOrganisasjonsnummer('999990010')).toBeUndefined();
    expect(checkOrganisasjonsnummer('999990011')).toContain('check digit');
  });
  it('checks the HSA-id and HPR-nummer forms', () => {
    expect(checkIdentifier(SYSTEM.hsaId, 'SE2321000016-7P2H')).toBeUndefined();
    expect(checkIdentifier(SYSTEM.hsaId, '2321000016-7P2H')).toBeDefined();
    expect(checkIdentifier(SYSTEM.hprNummer, '9144900')).toBeUndefined();
    expect(checkIdentifier(SYSTEM.hprNummer, 'HPR9144900')).toBeDefined();
  });
  it('dispatches by system and leaves unknown systems alone', () => {
    expect(checkIdentifier(SYSTEM.personnummer, '191212121213')).toBeDefined();
    expect(checkIdentifier(SYSTEM.samordningsnummer, '197010632391')).toBeUndefined();
    expect(checkIdentifier(SYSTEM.fodselsnummer, '15019549973')).toBeUndefined();
    expect(checkIdentifier(SYSTEM.dNummer, '54028749921')).toBeUndefined();
    expect(checkIdentifier('urn:oid:1.2.3', 'anything')).toBeUndefined();
  });
});
