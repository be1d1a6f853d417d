#pragma once

#include "azid/blockingtokencredential.h"
#include "azid/result.h"
#include "azid/secret.h"
#include "azid/tokencredential.h"

#include <QFuture>
#include <QStringList>

#include <functional>
#include <memory>

namespace azid {

// azure.identity's get_bearer_token_provider(credential, *scopes): a callable that gives an access
// token for fixed scopes, to be sent as "Authorization: Bearer <token>" (bearerAuthorization()
// builds that header value). As azure-core's BearerTokenCredentialPolicy, which the Python callable
// runs, the provider keeps the last token and asks the credential again only when that token is
// within 5 minutes of expiry or past its refresh_on (so also for credentials without a cache of
// their own, such as AzureCliCredential). A failed request is an error value of the callable, and
// the next call asks again. Copies of a provider share its token; the provider keeps the credential
// alive.

// The asynchronous form, for Qt programs: call it on the credential's thread; the future finishes
// there (at once when the kept token is still good).
using BearerTokenProvider = std::function<QFuture<Result<Secret>>()>;
BearerTokenProvider getBearerTokenProvider(std::shared_ptr<TokenCredential> credential,
                                           const QStringList &scopes);

// The blocking form, for programs without an event loop: callable from any thread, also
// concurrently; it waits for the credential when the kept token is no longer good.
using BlockingBearerTokenProvider = std::function<Result<Secret>()>;
BlockingBearerTokenProvider getBearerTokenProvider(std::shared_ptr<BlockingTokenCredential> credential,
                                                   const QStringList &scopes);

// "Bearer <token>", the value of an Authorization header.
Secret bearerAuthorization(const Secret &token);

} // namespace azid
