#pragma once

#include "azid/clock.h"
#include "azid/httpoptions.h"
#include "azid/tokencache.h"
#include "azid/tokencredential.h"

#include <QObject>
#include <QProcessEnvironment>
#include <QStringList>

#include <memory>
#include <optional>

namespace azid {

struct EnvironmentCredentialOptions
{
    // The variables to read; default: this process's environment, read at construction.
    std::optional<QProcessEnvironment> environment;
    // Passed on to the credential the environment configures.
    QString authority; // host or https URL; empty: AZURE_AUTHORITY_HOST, else the public cloud
    QStringList additionallyAllowedTenants; // "*" allows any tenant
    bool disableInstanceDiscovery = false;
    std::shared_ptr<TokenCache> cache;
    const Clock *clock = nullptr;
    HttpOptions http;
};

// A credential configured by environment variables, chosen once at construction, the first complete
// set winning (a variable set to the empty string counts as set):
//  1. AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET            → ClientSecretCredential
//  2. AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_CERTIFICATE_PATH  → CertificateCredential
//     (+ AZURE_CLIENT_CERTIFICATE_PASSWORD; AZURE_CLIENT_SEND_CERTIFICATE_CHAIN: any non-empty value)
//  3. AZURE_CLIENT_ID, AZURE_USERNAME, AZURE_PASSWORD (+ AZURE_TENANT_ID) → UsernamePasswordCredential
// AZURE_AUTHORITY_HOST names the authority of each. Without a complete set every request is
// unavailable, with a message naming the variables that are missing.
class EnvironmentCredential final : public QObject, public TokenCredential
{
    Q_OBJECT
public:
    explicit EnvironmentCredential(const EnvironmentCredentialOptions &options = {},
                                   QObject *parent = nullptr);
    ~EnvironmentCredential() override;

    QFuture<TokenResult> getTokenInfo(const TokenRequestOptions &options) override;
    // The configuration error of the credential the variables made (an empty AZURE_CLIENT_SECRET
    // with the others set, an unreadable certificate, an http AZURE_AUTHORITY_HOST, ...).
    std::optional<AuthError> configurationError() const override;
    QString name() const override { return QStringLiteral("EnvironmentCredential"); }

    // The credential the environment configures (owned by this one), or null.
    TokenCredential *credential() const { return m_credential; }

private:
    TokenCredential *m_credential = nullptr;
    QString m_unavailableMessage;
    // The inner credential's configuration error, naming the variables that configured it.
    std::optional<AuthError> m_configurationError;
};

} // namespace azid
