/**
 * Check digits of the national person identifiers samplan accepts.
 *
 * The FHIR JSON Schema only says an Identifier.value is a string; whether a
 * personnummer or fødselsnummer is well formed is a rule of the identifier
 * system (HL7 Sweden / HL7 Norway base profiles name the systems below).
 * A wrong check digit almost always means a typing error, and a plan filed
 * under the wrong person is the worst mistake a shared plan can make.
 */

export const SYSTEM = {
  personnummer: 'http://electronichealth.se/identifier/personnummer',
  samordningsnummer: 'http://electronichealth.se/identifier/samordningsnummer',
  hsaId: 'urn:oid:1.2.752.29.4.19',
  fodselsnummer: 'urn:oid:2.16.578.1.12.4.1.4.1',
  dNummer: 'urn:oid:2.16.578.1.12.4.1.4.2',
  hprNummer: 'urn:oid:2.16.578.1.12.4.1.4.4',
  /** Norwegian organisation number (Enhetsregisteret). */
  organisasjonsnummer: 'urn:oid:2.16.578.1.12.4.1.4.101',
} as const;

/** Why a value is not valid for its system, or undefined when it is. */
export type IdentifierProblem = string | undefined;

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** A real calendar date? `year` undefined means the century is unknown, so 29 Feb is allowed. */
function validDate(year: number | undefined, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = [31, year === undefined || isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return day <= (days[month - 1] ?? 0);
}

/** Luhn (mod 10) check over a string of digits whose last digit is the check digit. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Swedish personnummer (Skatteverket SKV 704) or samordningsnummer (SKV 707).
 * Accepted forms, all ending in the 4-digit birth number + check digit:
 *   YYYYMMDDNNNC, YYYYMMDD-NNNC (12 digits, the form HL7 Sweden recommends),
 *   YYMMDD-NNNC, YYMMDD+NNNC (+ = 100 years or older), YYMMDDNNNC.
 * The Luhn check runs over the 10-digit form. A samordningsnummer has day + 60.
 */
export function checkSwedishPersonId(value: string, kind: 'personnummer' | 'samordningsnummer'): IdentifierProblem {
  const m = /^(\d{2})?(\d{2})(\d{2})(\d{2})[-+]?(\d{4})$/.exec(value);
  if (!m) return `'${value}' is not of the form YYYYMMDDNNNN (also YYYYMMDD-NNNN, YYMMDD-NNNN)`;
  const [, century, yy, mm, dd, tail] = m as unknown as [string, string | undefined, string, string, string, string];
  if (century !== undefined && value.includes('+')) return `'${value}': '+' is only used in the 10-digit form`;
  const rawDay = Number(dd);
  const isSamordning = rawDay > 60;
  if (kind === 'personnummer' && isSamordning) return `'${value}' has day ${dd} (+60): that is a samordningsnummer, not a personnummer`;
  if (kind === 'samordningsnummer' && !isSamordning) return `'${value}' is not a samordningsnummer (its day must be the birth day + 60)`;
  const day = isSamordning ? rawDay - 60 : rawDay;
  const year = century === undefined ? undefined : Number(century + yy);
  if (!validDate(year, Number(mm), day)) return `'${value}' does not hold a valid date of birth`;
  if (!luhnValid(`${yy}${mm}${dd}${tail}`)) return `'${value}' has a wrong check digit (Luhn)`;
  return undefined;
}

function mod11(digits: number[], weights: number[]): number | undefined {
  const k = 11 - (weightedSum(digits, weights) % 11);
  if (k === 11) return 0;
  if (k === 10) return undefined; // no valid check digit: such numbers are never issued
  return k;
}

function weightedSum(digits: number[], weights: number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits[i] ?? 0) * (weights[i] ?? 0);
  return sum;
}

/** Weights of the two check digits of a fødselsnummer / D-nummer: k1 over the first 9 digits, k2 over the first 10. */
const K1_WEIGHTS = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const K2_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/**
 * Whether k1 is right. Numbers issued before 2032 have the one k1 that makes
 * (Σ weights·digits + k1) mod 11 = 0. Numbers issued from 1 January 2032 — to
 * people born at any time — may have a remainder of 0, 1, 2 or 3 (Skatteetaten,
 * "Nytt fødselsnummer fra 2032"), so up to four k1 per date and individual
 * number. Nothing in the number says which rule it was issued under, so both
 * are accepted: the new rule includes the old one (remainder 0).
 */
function k1Valid(d: number[]): boolean {
  return (weightedSum(d, K1_WEIGHTS) + (d[9] ?? 0)) % 11 <= 3;
}

/** k2 is computed as it always was, over the first ten digits: one valid value. */
function k2Valid(d: number[]): boolean {
  return mod11(d, K2_WEIGHTS) === d[10];
}

/**
 * The birth month of a number as written. Synthetic test identities, which
 * never belong to a real person, have month + 40 in NAV's test data (Dolly)
 * and month + 80 in Skatteetaten's (Tenor, "Test-Norge"); their check digits
 * are computed over the digits as written.
 */
function birthMonth(written: number): number {
  return written > 80 ? written - 80 : written > 40 ? written - 40 : written;
}

/**
 * Norwegian fødselsnummer or D-nummer (Skatteetaten): DDMMYY III K1 K2, two
 * mod-11 check digits; a D-nummer has day + 40. 11 digits, no separator.
 * Synthetic test numbers (month + 40 or + 80) are accepted.
 *
 * The century is not checked: from 2032 the individual number no longer
 * tells it, and a new number may be issued to someone born in any year. So
 * 29 February is accepted for every YY that is a leap year in some century.
 */
export function checkNorwegianPersonId(value: string, kind: 'fodselsnummer' | 'd-nummer'): IdentifierProblem {
  if (!/^\d{11}$/.test(value)) return `'${value}' is not 11 digits`;
  const d = [...value].map(Number);
  const rawDay = Number(value.slice(0, 2));
  const isD = rawDay > 40;
  if (kind === 'fodselsnummer' && isD) return `'${value}' has day ${rawDay} (+40): that is a D-nummer, not a fødselsnummer`;
  if (kind === 'd-nummer' && !isD) return `'${value}' is not a D-nummer (its day must be the birth day + 40)`;
  const day = isD ? rawDay - 40 : rawDay;
  const month = birthMonth(Number(value.slice(2, 4)));
  const yy = Number(value.slice(4, 6));
  if (![1900 + yy, 2000 + yy].some((year) => validDate(year, month, day))) return `'${value}' does not hold a valid date of birth`;
  if (!k1Valid(d) || !k2Valid(d)) return `'${value}' has wrong check digits (mod 11)`;
  return undefined;
}

/** Norwegian organisasjonsnummer: 9 digits, mod-11 check digit with weights 3 2 7 6 5 4 3 2. */
export function checkOrganisasjonsnummer(value: string): IdentifierProblem {
  if (!/^\d{9}$/.test(value)) return `'${value}' is not 9 digits`;
  const d = [...value].map(Number);
  const k = mod11(d, [3, 2, 7, 6, 5, 4, 3, 2]);
  if (k === undefined || k !== d[8]) return `'${value}' has a wrong check digit (mod 11)`;
  return undefined;
}

/**
 * The problem with an identifier value for its system, or undefined when it is
 * valid or the system is not one samplan knows the rules of.
 * HSA-id: "SE" + the 10-digit organisation number of the issuer + "-" + a
 * local part (Inera, HSA-id format). HPR-nummer: digits only, no check digit.
 */
export function checkIdentifier(system: string, value: string): IdentifierProblem {
  switch (system) {
    case SYSTEM.personnummer:
      return checkSwedishPersonId(value, 'personnummer');
    case SYSTEM.samordningsnummer:
      return checkSwedishPersonId(value, 'samordningsnummer');
    case SYSTEM.fodselsnummer:
      return checkNorwegianPersonId(value, 'fodselsnummer');
    case SYSTEM.dNummer:
      return checkNorwegianPersonId(value, 'd-nummer');
    case SYSTEM.organisasjonsnummer:
      return checkOrganisasjonsnummer(value);
    case SYSTEM.hsaId:
      return /^SE\d{10}-[0-9A-Za-z]+$/.test(value) ? undefined : `'${value}' is not an HSA-id (SE + 10 digits + '-' + local part)`;
    case SYSTEM.hprNummer:
      return /^\d{1,9}$/.test(value) ? undefined : `'${value}' is not an HPR-nummer (1 to 9 digits)`;
    default:
      return undefined;
  }
}
