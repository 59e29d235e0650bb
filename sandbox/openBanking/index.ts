// A UK Open Banking v3.1 AISP (/ob/{bank}/open-banking/v3.1/aisp), one instance per bank. Resource calls carry the
// access token of one account-access consent and see only that consent's accounts; the consent resource itself is
// read with the tenant's client key for the bank.
import { randomUUID } from 'node:crypto';
import type { ConsentState } from '../consents.js';
import { tenantForKey } from '../credentials.js';
import { bearerToken, json } from '../http/io.js';
import type { Provider, Route, SandboxRequest, SandboxResponse } from '../http/types.js';
import type { LedgerBook } from '../seed/ledger.js';
import { obDateTime } from '../seed/time.js';
import type { OpenBankingBank, SeedAccount, SeedConsent, World } from '../seed/types.js';
import { accountNotFound, obError } from './errors.js';
import { accountJson, balancesJson, consentJson, transactionJson } from './format.js';
import { isResponse, pageTransactions } from './transactions.js';

export const openBankingBasePath = (bank: OpenBankingBank) => `/ob/${bank}/open-banking/v3.1/aisp`;

type ConsentHandler = (request: SandboxRequest, consent: SeedConsent) => SandboxResponse;

export function createOpenBankingProvider(bank: OpenBankingBank, world: World, ledgers: LedgerBook, consents: ConsentState): Provider {
  const basePath = openBankingBasePath(bank);
  const { clock } = world;
  const envelope = (request: SandboxRequest, data: object, meta: object = {}) =>
    json(200, { Data: data, Links: { Self: `${request.origin}${request.target}` }, Meta: { TotalPages: 1, ...meta } });

  const withConsent =
    (handler: ConsentHandler) =>
    (request: SandboxRequest): SandboxResponse => {
      const token = bearerToken(request.headers);
      if (token === undefined) return obError(401, 'UK.OBIE.Header.Missing', 'An access token is required.', 'Authorization');
      const consent = world.consentByToken.get(token);
      if (!consent || consent.bank !== bank)
        return obError(401, 'UK.OBIE.Header.Invalid', 'The access token is not valid.', 'Authorization');
      if (consents.isExpired(consent)) {
        return obError(403, 'UK.OBIE.Resource.InvalidConsentStatus', 'The consent has expired; the customer must re-authorise.');
      }
      return handler(request, consent);
    };
  const withAccount = (handler: (request: SandboxRequest, account: SeedAccount) => SandboxResponse) =>
    withConsent((request, consent) => {
      const id = request.params.AccountId ?? '';
      const account = consent.accountIds.includes(id) ? world.accounts.get(id) : undefined;
      return account ? handler(request, account) : accountNotFound();
    });
  const accountsOf = (consent: SeedConsent) => consent.accountIds.flatMap((id) => world.accounts.get(id) ?? []);

  const routes: Route[] = [
    {
      method: 'GET',
      template: '/accounts',
      handle: withConsent((request, consent) => envelope(request, { Account: accountsOf(consent).map(accountJson) })),
    },
    {
      method: 'GET',
      template: '/accounts/{AccountId}',
      handle: withAccount((request, account) => envelope(request, { Account: [accountJson(account)] })),
    },
    {
      method: 'GET',
      template: '/accounts/{AccountId}/balances',
      handle: withAccount((request, account) => envelope(request, { Balance: balancesJson(account, ledgers.ledgerFor(account), clock) })),
    },
    {
      method: 'GET',
      template: '/balances',
      handle: withConsent((request, consent) =>
        envelope(request, {
          Balance: accountsOf(consent).flatMap((account) => balancesJson(account, ledgers.ledgerFor(account), clock)),
        }),
      ),
    },
    {
      method: 'GET',
      template: '/accounts/{AccountId}/transactions',
      handle: withAccount((request, account) => {
        const page = pageTransactions(request, basePath, ledgers.ledgerFor(account).transactions);
        if (isResponse(page)) return page;
        return json(200, {
          Data: { Transaction: page.items.map((transaction) => transactionJson(transaction, account)) },
          Links: page.links,
          Meta: {
            TotalPages: page.totalPages,
            FirstAvailableDateTime: obDateTime(clock.windowStart),
            LastAvailableDateTime: obDateTime(clock.asOf),
          },
        });
      }),
    },
    {
      method: 'GET',
      template: '/account-access-consents/{ConsentId}',
      handle: (request) => {
        const tenant = tenantForKey(bank, bearerToken(request.headers));
        if (!tenant) return obError(401, 'UK.OBIE.Header.Invalid', 'The client credentials are not valid.', 'Authorization');
        const consent = world.consents.get(request.params.ConsentId ?? '');
        if (!consent || consent.bank !== bank || consent.tenant !== tenant) {
          return obError(404, 'UK.OBIE.Resource.NotFound', 'No such consent.', 'ConsentId');
        }
        return json(200, {
          Data: consentJson(consent, consents, clock),
          Risk: {},
          Links: { Self: `${request.origin}${request.target}` },
          Meta: { TotalPages: 1 },
        });
      },
    },
  ];

  return {
    id: bank,
    basePath,
    routes,
    failure(kind) {
      if (kind === 'unavailable') return obError(503, 'UK.OBIE.UnexpectedError', 'The service is temporarily unavailable.');
      if (kind === 'internal') return obError(500, 'UK.OBIE.UnexpectedError', 'An unexpected error occurred.');
      return obError(404, 'UK.OBIE.Resource.NotFound', 'No such resource.');
    },
    finish(request, response) {
      // FAPI: echo the caller's interaction id so both sides can correlate logs; mint one when none was sent.
      const sent = request.headers['x-fapi-interaction-id'];
      const interactionId = typeof sent === 'string' && sent.trim() !== '' ? sent.trim() : randomUUID();
      return { ...response, headers: { ...response.headers, 'x-fapi-interaction-id': interactionId } };
    },
  };
}
