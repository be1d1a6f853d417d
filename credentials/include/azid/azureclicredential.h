#pragma once

#include "azid/developertooloptions.h"
#include "azid/tokencredential.h"

#include <QObject>

#include <memory>

namespace azid {

namespace detail {
class DeveloperTool;
}

struct AzureCliCredentialOptions : DeveloperToolOptions
{
    QString subscription; // passed as --subscription; empty: the CLI's current subscription
};

// Asks the Azure CLI for a token of the account signed in with `az login`:
// `az account get-access-token --output json --resource R [--tenant T] [--subscription S]`.
// One scope per request; tokens are not cached (every request runs az).
class AzureCliCredential final : public QObject, public TokenCredential
{
    Q_OBJECT
public:
    explicit AzureCliCredential(const AzureCliCredentialOptions &options = {}, QObject *parent = nullptr);
    ~AzureCliCredential() override;

    QFuture<TokenResult> getTokenInfo(const TokenRequestOptions &options) override;
    QString name() const override { return QStringLiteral("AzureCliCredential"); }
    std::optional<AuthError> configurationError() const override;

private:
    TokenResult interpret(const ProcessOutcome &outcome) const;

    std::unique_ptr<detail::DeveloperTool> m_tool;
    QString m_subscription;
};

} // namespace azid
