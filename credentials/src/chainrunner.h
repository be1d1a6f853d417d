#pragma once

#include "azid/tokencredential.h"

#include <QFuture>
#include <QList>
#include <QString>

#include <functional>
#include <memory>

namespace azid::detail {

// One credential of a chain, as the chain runs it.
struct ChainMember
{
    std::shared_ptr<TokenCredential> credential;
    // The name in the aggregated message; empty: credential->name().
    QString name;
    // Every failure counts as unavailability, so the chain goes on: what azure.identity's
    // within_dac does for credentials of DefaultAzureCredential that have no option of their own
    // for it (SharedTokenCacheCredential, the workload identity placeholder).
    bool failuresUnavailable = false;

    QString displayName() const { return name.isEmpty() ? credential->name() : name; }
};

// Told the index of the member that gave the token, when one does (at once or later).
using ChainSuccess = std::function<void(qsizetype index)>;

// azure.identity's ChainedTokenCredential loop: each member in order; unavailability (including
// AuthenticationRequired) is recorded and the next member tried; any other failure is recorded and
// ends the loop. Without a token: a ClientAuthentication error whose message names every attempt
// (chainFailureMessage). While members answer at once nothing is allocated for the run, and a
// member's token comes back in the member's own future; once one answers later, the members are
// kept alive until the run ends.
QFuture<TokenResult> runChain(const QList<ChainMember> &members, const TokenRequestOptions &options,
                              const QString &chainName, const ChainSuccess &succeeded = {});

struct ChainAttempt
{
    QString name;
    QString message;
};

// "<chainName> failed to retrieve a token from the included credentials.\nAttempted credentials:\n\t
// <Name>: <message>...\nTo mitigate this issue, ..." exactly as azure.identity words it.
QString chainFailureMessage(const QString &chainName, const QList<ChainAttempt> &attempts);

// True while a chain is calling a member's getTokenInfo() on this thread: azure.identity's
// within_credential_chain, which makes ManagedIdentityCredential probe IMDS first inside any chain.
bool withinCredentialChain();

} // namespace azid::detail
