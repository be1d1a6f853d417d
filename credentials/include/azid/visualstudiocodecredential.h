#pragma once

#include "azid/tokencredential.h"

#include <QObject>

namespace azid {

struct VisualStudioCodeCredentialOptions
{
    QString tenantId;                       // empty: the tenant of the VS Code sign-in
    QStringList additionallyAllowedTenants; // "*" allows any tenant
};

// azure.identity's VisualStudioCodeCredential signs in as the account of VS Code's Azure Resources
// extension through the Windows Web Account Manager broker (azure-identity-broker). Without a
// broker, as on Linux and macOS, it is always unavailable and says what to use instead; so is
// this one. The options are kept so that code written for azure.identity ports unchanged.
class VisualStudioCodeCredential final : public QObject, public TokenCredential
{
    Q_OBJECT
public:
    explicit VisualStudioCodeCredential(const VisualStudioCodeCredentialOptions &options = {},
                                        QObject *parent = nullptr);

    QFuture<TokenResult> getTokenInfo(const TokenRequestOptions &options) override;
    QString name() const override { return QStringLiteral("VisualStudioCodeCredential"); }

private:
    VisualStudioCodeCredentialOptions m_options;
};

} // namespace azid
