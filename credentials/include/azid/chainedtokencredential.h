#pragma once

#include "azid/tokencredential.h"

#include <QList>
#include <QObject>

#include <functional>
#include <memory>

namespace azid {

namespace detail {
struct ChainMember;
}

// azure.identity's ChainedTokenCredential: a sequence of credentials that is itself a credential.
// Every request tries the credentials in order and returns the first token. A credential that is
// unavailable (CredentialUnavailable, AuthenticationRequired) is passed over; any other failure
// ends the request. When no credential gave a token the request fails with a ClientAuthentication
// error (not an unavailability: a chain inside a chain stops the outer one) whose message names
// every credential tried and what it said:
//
//   ChainedTokenCredential failed to retrieve a token from the included credentials.
//   Attempted credentials:
//   	EnvironmentCredential: EnvironmentCredential authentication unavailable. ...
//   	AzureCliCredential: Please run 'az login' to set up an account
//   To mitigate this issue, please refer to the troubleshooting guidelines here at https://aka.ms/...
//
// Unlike DefaultAzureCredential, every request starts again at the first credential: the one that
// worked last is remembered (successfulCredential()) but not preferred.
class ChainedTokenCredential final : public QObject, public TokenCredential
{
    Q_OBJECT
public:
    // At least one credential (azure.identity's ValueError otherwise: every request then fails
    // with "at least one credential is required").
    explicit ChainedTokenCredential(QList<std::shared_ptr<TokenCredential>> credentials,
                                    QObject *parent = nullptr);
    ~ChainedTokenCredential() override;

    QFuture<TokenResult> getTokenInfo(const TokenRequestOptions &options) override;
    QString name() const override { return QStringLiteral("ChainedTokenCredential"); }
    // No credential, or the first configuration error of a credential in it (azure.identity's
    // ValueError, which would have stopped the chain being built): every request fails with it.
    std::optional<AuthError> configurationError() const override;

    QList<std::shared_ptr<TokenCredential>> credentials() const { return m_credentials; }
    // The credential that gave the last token (azure.identity's _successful_credential), or null.
    std::shared_ptr<TokenCredential> successfulCredential() const { return m_successful; }

private:
    QList<std::shared_ptr<TokenCredential>> m_credentials;
    QList<detail::ChainMember> m_members;       // m_credentials as the chain runs them
    std::function<void(qsizetype)> m_succeeded; // remembers the member that gave a token
    std::shared_ptr<TokenCredential> m_successful;
};

} // namespace azid
