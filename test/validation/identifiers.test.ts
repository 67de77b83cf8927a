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

describe('Norwegian numbers issued from 2032 (Skatteetaten, "Nytt fødselsnummer fra 2032")', () => {
  // Skatteetaten's own examples: k1 may leave a remainder of 0, 1, 2 or 3; k2 is as before.
  it.each([
    ['02013299997', 'born 2 January 2032, remainder 0'],
    ['30108299920', 'born 30 October 1982, issued in 2032, remainder 0'],
    ['30108299939', 'the next person born that day, remainder 1'],
    ['30108299947', 'remainder 2'],
    ['30108299955', 'remainder 3'],
  ])('accepts %s (%s)', (v) => {
    expect(checkNorwegianPersonId(v, 'fodselsnummer')).toBeUndefined();
  });
  it('refuses a k1 that leaves a remainder of 4 or more, even with k2 computed over it', () => {
    // 301082999 + k1 6 (remainder 4) or 7 (remainder 5), each with its correct k2.
    expect(checkNorwegianPersonId('30108299963', 'fodselsnummer')).toContain('check digits');
    expect(checkNorwegianPersonId('30108299971', 'fodselsnummer')).toContain('check digits');
  });
  it('still checks k2 strictly', () => {
    expect(checkNorwegianPersonId('30108299938', 'fodselsnummer')).toContain('check digits');
  });
  it('applies to D-numre as well', () => {
    // 54028749921 is an old-rule D-nummer (remainder 0); 540287499 with k1 4 (remainder 2) or 5 (remainder 3) and their k2:
    expect(checkNorwegianPersonId('54028749948', 'd-nummer')).toBeUndefined();
    expect(checkNorwegianPersonId('54028749956', 'd-nummer')).toBeUndefined();
    // k1 3 (remainder 1) would need k2 = 10: never issued.
    for (let k2 = 0; k2 < 10; k2++) expect(checkNorwegianPersonId(`5402874993${k2}`, 'd-nummer')).toContain('check digits');
  });
  it('no longer reads the century from the individual number: 29 February is a date when YY is a leap year in some century', () => {
    // Individual number 123 meant 1900-1999, and 1900 was no leap year; a number issued from 2032 may be for 2000.
    expect(checkNorwegianPersonId('29020012380', 'fodselsnummer')).toBeUndefined();
    // 1901 and 2001 are no leap years: no century makes 29.02.01 a date (the check digits are right).
    expect(checkNorwegianPersonId('29020112482', 'fodselsnummer')).toContain('date');
  });
});

describe('Norwegian synthetic test numbers', () => {
  it.each([
    ['15507600333', 'NAV (Dolly): month + 40, born 15 October 1976'],
    ['29422059278', 'NAV (Dolly): month + 40, born 29 February 2020'],
    ['15907600316', 'Skatteetaten (Tenor): month + 80, born 15 October 1976'],
  ])('accepts the fødselsnummer %s (%s)', (v) => {
    expect(checkNorwegianPersonId(v, 'fodselsnummer')).toBeUndefined();
    expect(checkIdentifier(SYSTEM.fodselsnummer, v)).toBeUndefined();
  });
  it.each(['55507608360', '69422056629'])('accepts the synthetic D-nummer %s (day + 40 and month + 40)', (v) => {
    expect(checkNorwegianPersonId(v, 'd-nummer')).toBeUndefined();
  });
  it('refuses other month offsets and wrong check digits', () => {
    expect(checkNorwegianPersonId('15707600311', 'fodselsnummer')).toContain('date'); // month + 60
    expect(checkNorwegianPersonId('15937600310', 'fodselsnummer')).toContain('date'); // month 93
    expect(checkNorwegianPersonId('15507600334', 'fodselsnummer')).toContain('check digits');
    expect(checkNorwegianPersonId('15907600317', 'fodselsnummer')).toContain('check digits');
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
