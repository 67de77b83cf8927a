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

/** The year of birth a Norwegian fødselsnummer encodes (century from the individual number). */
function norwegianYear(yy: number, individual: number): number | undefined {
  if (individual <= 499) return 1900 + yy;
  if (individual <= 749 && yy >= 54) return 1800 + yy;
  if (individual >= 500 && yy <= 39) return 2000 + yy;
  if (individual >= 900 && yy >= 40) return 1900 + yy;
  return undefined;
}

function mod11(digits: number[], weights: number[]): number | undefined {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits[i] ?? 0) * (weights[i] ?? 0);
  const k = 11 - (sum % 11);
  if (k === 11) return 0;
  if (k === 10) return undefined; // no valid check digit: such numbers are never issued
  return k;
}

/**
 * Norwegian fødselsnummer or D-nummer (Skatteetaten): DDMMYY III K1 K2, two
 * mod-11 check digits; a D-nummer has day + 40. 11 digits, no separator.
 */
export function checkNorwegianPersonId(value: string, kind: 'fodselsnummer' | 'd-nummer'): IdentifierProblem {
  if (!/^\d{11}$/.test(value)) return `'${value}' is not 11 digits`;
  const d = [...value].map(Number);
  const rawDay = Number(value.slice(0, 2));
  const isD = rawDay > 40;
  if (kind === 'fodselsnummer' && isD) return `'${value}' has day ${rawDay} (+40): that is a D-nummer, not a fødselsnummer`;
  if (kind === 'd-nummer' && !isD) return `'${value}' is not a D-nummer (its day must be the birth day + 40)`;
  const day = isD ? rawDay - 40 : rawDay;
  const month = Number(value.slice(2, 4));
  const year = norwegianYear(Number(value.slice(4, 6)), Number(value.slice(6, 9)));
  if (!validDate(year, month, day)) return `'${value}' does not hold a valid date of birth`;
  const k1 = mod11(d, [3, 7, 6, 1, 8, 9, 4, 5, 2]);
  const k2 = mod11(d, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
  if (k1 === undefined || k1 !== d[9] || k2 === undefined || k2 !== d[10]) return `'${value}' has wrong check digits (mod 11)`;
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
