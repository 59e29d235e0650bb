// Renders applicants, checks and reports in Onfido's API v3.6 wire format (ISO 3166 alpha-3 countries, snake_case).
import type { SeedCustomer } from '../seed/types.js';
import { kycReportNames } from '../seed/types.js';
import type { CheckState } from './state.js';

export const apiVersion = 'v3.6';

const alpha3 = { GB: 'GBR', US: 'USA' } as const;
const iso = (ms: number) => new Date(ms).toISOString();

export function applicantJson(customer: SeedCustomer) {
  const { person, kyc } = customer;
  const { address } = person;
  return {
    id: kyc.applicantId,
    created_at: iso(kyc.applicantCreatedAt),
    delete_at: null,
    href: `/${apiVersion}/applicants/${kyc.applicantId}`,
    sandbox: true,
    first_name: person.firstName,
    last_name: person.lastName,
    email: customer.email,
    dob: person.dateOfBirth,
    phone_number: person.phone,
    id_numbers: [{ type: person.taxId.type, value: person.taxId.value }],
    address: {
      flat_number: address.flatNumber,
      building_number: address.buildingNumber,
      building_name: null,
      street: address.street,
      sub_street: null,
      town: address.town,
      state: address.state,
      postcode: address.postcode,
      country: alpha3[address.country],
      line1: null,
      line2: null,
      line3: null,
    },
    location: { country_of_residence: alpha3[person.country] },
  };
}

export function checkJson(check: CheckState) {
  const { kyc } = check.customer;
  return {
    id: kyc.checkId,
    created_at: iso(kyc.checkCreatedAt),
    href: `/${apiVersion}/checks/${kyc.checkId}`,
    status: check.status,
    result: check.result,
    applicant_id: kyc.applicantId,
    applicant_provides_data: false,
    report_ids: [...kyc.reportIds],
    results_uri: `https://dashboard.onfido.com/checks/${kyc.checkId}`,
    form_uri: null,
    redirect_uri: null,
    tags: [],
    paused: false,
    version: '3.6',
    sandbox: true,
    privacy_notices_read_consent_given: true,
    webhook_ids: [],
  };
}

export function reportJson(check: CheckState, index: number) {
  const { kyc } = check.customer;
  const name = kycReportNames[index] ?? 'document';
  const complete = check.status === 'complete';
  const considered = complete && check.result === 'consider' && check.considerReport === name;
  return {
    id: kyc.reportIds[index],
    created_at: iso(kyc.checkCreatedAt),
    href: `/${apiVersion}/reports/${kyc.reportIds[index] ?? ''}`,
    name,
    status: complete ? 'complete' : 'awaiting_data',
    result: complete ? (considered ? 'consider' : 'clear') : null,
    sub_result: name === 'document' && complete ? (considered ? 'suspected' : 'clear') : null,
    properties: {},
    breakdown: {},
    documents: [],
    check_id: kyc.checkId,
  };
}

export function reportsOf(check: CheckState) {
  return kycReportNames.map((_name, index) => reportJson(check, index));
}
