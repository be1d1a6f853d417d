#pragma once

#include "azid/developertooloptions.h"
#include "azid/tokencredential.h"

#include <QObject>

#include <memory>

namespace azid {

namespace detail {
class DeveloperTool;
}

struct AzurePowerShellCredentialOptions : DeveloperToolOptions
{};

// Asks Azure PowerShell (Az.Accounts >= 2.2.0) for a token of the account signed in with
// Connect-AzAccount: `pwsh -NoProfile -NonInteractive -EncodedCommand <script>` running
// Get-AzAccessToken. One scope per request; tokens are not cached (every request runs pwsh).
class AzurePowerShellCredential final : public QObject, public TokenCredential
{
    Q_OBJECT
public:
    explicit AzurePowerShellCredential(const AzurePowerShellCredentialOptions &options = {},
                                       QObject *parent = nullptr);
    ~AzurePowerShellCredential() override;

    QFuture<TokenResult> getTokenInfo(const TokenRequestOptions &options) override;
    QString name() const override { return QStringLiteral("AzurePowerShellCredential"); }
    std::optional<AuthError> configurationError() const override;

private:
    QFuture<TokenResult> runPowerShell(QStringList programs, const QStringList &arguments);
    TokenResult interpret(const ProcessOutcome &outcome) const;

    std::unique_ptr<detail::DeveloperTool> m_tool;
};

} // namespace azid
