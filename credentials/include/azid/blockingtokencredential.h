#pragma once

#include "azid/tokencredential.h"

#include <functional>
#include <memory>

namespace azid {

// A credential for plain C++ programs that run no Qt event loop (the Azure SDK for C++ is
// synchronous, and so are many callers). It makes a credential on an internal thread that runs an
// event loop of its own, and waits for its answers:
//
//   azid::BlockingTokenCredential credential([] { return std::make_shared<azid::DefaultAzureCredential>();
//   }); azid::TokenResult token = credential.getTokenBlocking({{"https://management.azure.com/.default"}});
//
// getTokenBlocking() may be called from any thread, also from several at once (their requests run
// concurrently on the internal thread and share what the credential shares, such as one refresh per
// token), except from inside the credential's own callbacks, which run on the internal thread (that
// call fails at once instead of waiting forever).
//
// The Qt it needs: in a program that has a QCoreApplication the internal thread is a QThread of its
// own. In a program that has none, the first BlockingTokenCredential starts one, on a thread of its
// own that runs its event loop, and the last one to be destroyed ends it; such a program must not
// make a QCoreApplication of its own while a BlockingTokenCredential lives.
//
// The factory runs on the internal thread, once, in the constructor: the credential and every
// QObject it makes belong to that thread, and the credential is destroyed there, in the destructor.
// The destructor ends requests still waiting with "abandoned" (CredentialUnavailable); it must not
// run on the internal thread (from inside one of the credential's own callbacks).
class BlockingTokenCredential
{
public:
    using Factory = std::function<std::shared_ptr<TokenCredential>()>;

    explicit BlockingTokenCredential(Factory makeCredential);
    ~BlockingTokenCredential();
    BlockingTokenCredential(const BlockingTokenCredential &) = delete;
    BlockingTokenCredential &operator=(const BlockingTokenCredential &) = delete;

    // get_token_info, waiting for the answer. Thread-safe.
    TokenResult getTokenBlocking(const TokenRequestOptions &options) const;
    // get_token(*scopes, claims=, tenant_id=, enable_cae=), waiting for the answer. Thread-safe.
    Result<AccessToken> getTokenBlocking(const QStringList &scopes, const QString &claims,
                                         const QString &tenantId = {}, bool enableCae = false) const;

    // The credential's name(), e.g. "DefaultAzureCredential"; empty when the factory gave none.
    QString name() const;
    // The credential's configurationError() (azure.identity's ValueError), taken at construction.
    std::optional<AuthError> configurationError() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace azid
