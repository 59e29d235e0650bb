// The payee's account details as a receiving bank checks them: IBANs per country against the published examples of
// the IBAN registry, SEPA reach, BIC shape and country, and ABA routing numbers' Federal Reserve prefixes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bicProblem, isIban, isRoutingNumber, sepaIbanProblem } from '../../../subgraphs/payments/payeeAccount.js';

/** The example IBAN each country publishes in the SWIFT IBAN registry (every one of them a SEPA-scheme country). */
const sepaExamples = [
  'AT611904300234573201',
  'BE68539007547034',
  'BG80BNBG96611020345678',
  'CH9300762011623852957',
  'CY17002001280000001200527600',
  'CZ6508000000192000145399',
  'DE89370400440532013000',
  'DK5000400440116243',
  'EE382200221020145685',
  'ES9121000418450200051332',
  'FI2112345600000785',
  'FR1420041010050500013M02606',
  'GB29NWBK60161331926819',
  'GR1601101250000000012300695',
  'HR1210010051863000160',
  'HU42117730161111101800000000',
  'IE29AIBK93115212345678',
  'IS140159260076545510730339',
  'IT60X0542811101000000123456',
  'LI21088100002324013AA',
  'LT121000011101001000',
  'LU280019400644750000',
  'LV80BANK0000435195001',
  'MC5811222000010123456789030',
  'MT84MALT011000012345MTLCAST001S',
  'NL91ABNA0417164300',
  'NO9386011117947',
  'PL61109010140000071219812874',
  'PT50000201231234567890154',
  'RO49AAAA1B31007593840000',
  'SE4550000000058398257466',
  'SI56263300012039086',
  'SK3112000000198742637541',
  'SM86U0322509800000000270100',
];
/** Published examples of countries that have IBANs but are outside the SEPA scheme. */
const nonSepaExamples = ['TR330006100519786457841326', 'SA0380000000608010167519', 'AE070331234567890123456', 'IL620108000000099999999'];

describe('payee account details', () => {
  it("accepts every SEPA country's published example IBAN for a SEPA credit transfer", () => {
    for (const iban of sepaExamples) {
      assert.equal(isIban(iban), true, iban);
      assert.equal(sepaIbanProblem(iban), null, iban);
    }
  });

  it('accepts a valid IBAN of a non-SEPA country as an IBAN, but not for a SEPA credit transfer', () => {
    for (const iban of nonSepaExamples) {
      assert.equal(isIban(iban), true, iban);
      assert.match(sepaIbanProblem(iban) ?? '', new RegExp(`${iban.slice(0, 2)} is not one`), iban);
    }
  });

  it('refuses an IBAN for a country that has none, one of the wrong length for its country, and one failing mod-97', () => {
    // The US has no IBAN, though this one's check digits add up; the German one is 20 characters of the 22 Germany uses.
    for (const iban of ['US74ABCD12345678901', 'DE863704004405320130', 'DE89370400440532013001']) {
      assert.equal(isIban(iban), false, iban);
      assert.match(sepaIbanProblem(iban) ?? '', /need a valid IBAN/, iban);
    }
    // A valid country and check digits but a BBAN in the wrong format: Belgium's is 12 digits, not letters.
    assert.equal(isIban('BE32ABCD12345678'), false);
  });

  it("checks a BIC's shape, its country, and that its country is the IBAN's", () => {
    assert.equal(bicProblem('DEUTDEFF', 'DE89370400440532013000'), null);
    assert.equal(bicProblem('DEUTDEFF500', 'DE89370400440532013000'), null);
    assert.equal(bicProblem('NWBKGB2L', 'GB29NWBK60161331926819'), null);
    // Territories with their own country code in a BIC but the French, British or Finnish IBAN.
    assert.equal(bicProblem('BDAFGPGP', 'FR1420041010050500013M02606'), null);
    assert.equal(bicProblem('RBOSJESX', 'GB29NWBK60161331926819'), null);
    assert.match(bicProblem('BNPAFRPP', 'DE89370400440532013000') ?? '', /bank in FR, but the IBAN to an account in DE/);
    assert.match(bicProblem('DEUTXXFF', 'DE89370400440532013000') ?? '', /8 or 11 characters/);
    for (const bic of ['DEUTDE', 'DEUTDEFF5', 'DEU1DEFF', 'DEUTDEFF5000']) {
      assert.match(bicProblem(bic, 'DE89370400440532013000') ?? '', /8 or 11 characters/, bic);
    }
  });

  it('accepts ABA routing numbers of every Federal Reserve prefix range with a valid check digit', () => {
    for (const routing of ['021000021', '011000015', '121000358', '061000052', '322271627', '261073229', '800000006', '000000013']) {
      assert.equal(isRoutingNumber(routing), true, routing);
    }
  });

  it("refuses all zeros, prefixes outside the Federal Reserve's ranges, a wrong check digit and a wrong length", () => {
    // Each of these but the last two has a check digit that adds up: only the prefix or the zeros are wrong.
    for (const routing of [
      '000000000',
      '131000018',
      '201000016',
      '331000012',
      '500000018',
      '601000014',
      '731000010',
      '810000012',
      '991000012',
    ]) {
      assert.equal(isRoutingNumber(routing), false, routing);
    }
    assert.equal(isRoutingNumber('021000022'), false);
    assert.equal(isRoutingNumber('02100002'), false);
  });
});
