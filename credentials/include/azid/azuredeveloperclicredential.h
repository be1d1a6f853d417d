#pragma once

#include "azid/developertooloptions.h"
#include "azid/tokencredential.h"

#include <QObject>

#include <memory>

namespace azid {

namespace detail {
class DeveloperTool;
}

struct AzureDeveloperCliCredentialOptions : DeveloperToolOptions
{};

// Asks the Azure Developer CLI for a token of the account signed in with `azd auth login`:
// `azd auth token --output json --no-prompt --scope S... [--tenant-id T] [--claims C]`.
// Several scopes per request; tokens are not cached (every request runs azd).
class AzureDeveloperCliCredential final : public QObject, public TokenCredential
{
    Q_OBJECT
public:
    explicit AzureDeveloperCliCredential(const AzureDeveloperCliCredentialOptions &options = {},
                                         QObject *parent = nullptr);
    ~AzureDeveloperCliCredential() override;

    QFuture<TokenResult> getTokenInfo(const TokenRequestOptions &options) override;
    QString name() const override { return QStringLiteral("AzureDeveloperCliCredential"); }
    std::optional<AuthError> configurationError() const override;

private:
    TokenResult interpret(const ProcessOutcome &outcome) const;

    std::unique_ptr<detail::DeveloperTool> m_tool;
};

} // namespace azid
