#include "servicecredential.h"

#include "azid/authorizationcodecredential.h"
#include "azid/azureclicredential.h"
#include "azid/azuredeveloperclicredential.h"
#include "azid/azurepipelinescredential.h"
#include "azid/azurepowershellcredential.h"
#include "azid/certificatecredential.h"
#include "azid/clientassertioncredential.h"
#include "azid/clientsecretcredential.h"
#include "azid/defaultazurecredential.h"
#include "azid/environmentcredential.h"
#include "azid/managedidentitycredential.h"
#include "azid/onbehalfofcredential.h"
#include "azid/visualstudiocodecredential.h"
#include "azid/workloadidentitycredential.h"

#include <QFile>

namespace azid::cli {
namespace {

using Made = Result<std::shared_ptr<TokenCredential>>;

// Reads the variables a kind needs; names every one that is missing.
class Variables
{
public:
    Variables(const QProcessEnvironment &environment, QString kind)
        : m_env(environment), m_kind(std::move(kind))
    {}

    QString required(const QString &name, const QString &override = {})
    {
        const QString value = override.isEmpty() ? m_env.value(name) : override;
        if (value.isEmpty())
            m_missing << name;
        return value;
    }
    QString optional(const QString &name) const { return m_env.value(name); }
    std::optional<AuthError> problem() const
    {
        if (m_missing.isEmpty())
            return std::nullopt;
        return AuthError::unavailable(
            QStringLiteral("--credential %1 needs the environment variable%2 %3 (not set).")
                .arg(m_kind, m_missing.size() > 1 ? QStringLiteral("s") : QString(),
                     m_missing.join(QStringLiteral(", "))));
    }

private:
    const QProcessEnvironment &m_env;
    QString m_kind;
    QStringList m_missing;
};

template <typename Options> Options confidential(const Arguments &a)
{
    Options o;
    o.authority = a.authority;
    o.disableInstanceDiscovery = a.disableInstanceDiscovery;
    o.http.caBundleFile = a.caBundle;
    o.additionallyAllowedTenants = {QStringLiteral("*")}; // --tenant on `token` asks for that tenant
    return o;
}

// An assertion file is read again for every new token: the tool that writes it may rotate it.
ClientAssertionCallback fileAssertion(const QString &path)
{
    return [path]() {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return Secret();
        return Secret(file.readAll().trimmed());
    };
}

} // namespace

QStringList serviceCredentialKinds()
{
    return {QStringLiteral("default"),           QStringLiteral("environment"),
            QStringLiteral("client-secret"),     QStringLiteral("certificate"),
            QStringLiteral("client-assertion"),  QStringLiteral("authorization-code"),
            QStringLiteral("on-behalf-of"),      QStringLiteral("managed-identity"),
            QStringLiteral("workload-identity"), QStringLiteral("azure-pipelines"),
            QStringLiteral("azure-cli"),         QStringLiteral("azure-developer-cli"),
            QStringLiteral("azure-powershell"),  QStringLiteral("visual-studio-code")};
}

Made makeServiceCredential(const Arguments &a, const QProcessEnvironment &env)
{
    const QString &kind = a.credential;
    Variables vars(env, kind);

    if (kind == QStringLiteral("default")) {
        DefaultAzureCredentialOptions o;
        o.environment = env;
        o.authority = a.authority;
        o.disableInstanceDiscovery = a.disableInstanceDiscovery;
        o.http.caBundleFile = a.caBundle;
        if (!a.clientId.isEmpty())
            o.managedIdentityClientId = a.clientId;
        return std::shared_ptr<TokenCredential>(std::make_shared<DefaultAzureCredential>(o));
    }
    if (kind == QStringLiteral("environment")) {
        EnvironmentCredentialOptions o;
        o.environment = env;
        o.authority = a.authority;
        o.disableInstanceDiscovery = a.disableInstanceDiscovery;
        o.http.caBundleFile = a.caBundle;
        return std::shared_ptr<TokenCredential>(std::make_shared<EnvironmentCredential>(o));
    }
    if (kind == QStringLiteral("client-secret")) {
        const QString tenant = vars.required(QStringLiteral("AZURE_TENANT_ID"), a.tenant);
        const QString client = vars.required(QStringLiteral("AZURE_CLIENT_ID"), a.clientId);
        const QString secret = vars.required(QStringLiteral("AZURE_CLIENT_SECRET"));
        if (auto problem = vars.problem())
            return *problem;
        return std::shared_ptr<TokenCredential>(std::make_shared<ClientSecretCredential>(
            tenant, client, Secret::fromString(secret), confidential<ClientSecretCredentialOptions>(a)));
    }
    if (kind == QStringLiteral("certificate")) {
        const QString tenant = vars.required(QStringLiteral("AZURE_TENANT_ID"), a.tenant);
        const QString client = vars.required(QStringLiteral("AZURE_CLIENT_ID"), a.clientId);
        const QString path = vars.required(QStringLiteral("AZURE_CLIENT_CERTIFICATE_PATH"));
        if (auto problem = vars.problem())
            return *problem;
        auto o = confidential<CertificateCredentialOptions>(a);
        o.password = Secret::fromString(vars.optional(QStringLiteral("AZURE_CLIENT_CERTIFICATE_PASSWORD")));
        o.sendCertificateChain =
            !vars.optional(QStringLiteral("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN")).isEmpty();
        return std::shared_ptr<TokenCredential>(
            std::make_shared<CertificateCredential>(tenant, client, path, o));
    }
    if (kind == QStringLiteral("client-assertion")) {
        const QString tenant = vars.required(QStringLiteral("AZURE_TENANT_ID"), a.tenant);
        const QString client = vars.required(QStringLiteral("AZURE_CLIENT_ID"), a.clientId);
        const QString file = vars.required(QStringLiteral("AZURE_CLIENT_ASSERTION_FILE"));
        if (auto problem = vars.problem())
            return *problem;
        return std::shared_ptr<TokenCredential>(std::make_shared<ClientAssertionCredential>(
            tenant, client, fileAssertion(file), confidential<ClientAssertionCredentialOptions>(a)));
    }
    if (kind == QStringLiteral("authorization-code")) {
        const QString tenant = vars.required(QStringLiteral("AZURE_TENANT_ID"), a.tenant);
        const QString client = vars.required(QStringLiteral("AZURE_CLIENT_ID"), a.clientId);
        const QString code = vars.required(QStringLiteral("AZURE_AUTHORIZATION_CODE"));
        const QString redirect = vars.required(QStringLiteral("AZURE_REDIRECT_URI"));
        if (auto problem = vars.problem())
            return *problem;
        auto o = confidential<AuthorizationCodeCredentialOptions>(a);
        o.clientSecret = Secret::fromString(vars.optional(QStringLiteral("AZURE_CLIENT_SECRET")));
        return std::shared_ptr<TokenCredential>(std::make_shared<AuthorizationCodeCredential>(
            tenant, client, Secret::fromString(code), redirect, o));
    }
    if (kind == QStringLiteral("on-behalf-of")) {
        const QString tenant = vars.required(QStringLiteral("AZURE_TENANT_ID"), a.tenant);
        const QString client = vars.required(QStringLiteral("AZURE_CLIENT_ID"), a.clientId);
        const QString assertion = vars.required(QStringLiteral("AZURE_USER_ASSERTION"));
        auto o = confidential<OnBehalfOfCredentialOptions>(a);
        o.clientSecret = Secret::fromString(vars.optional(QStringLiteral("AZURE_CLIENT_SECRET")));
        const QString certificate = vars.optional(QStringLiteral("AZURE_CLIENT_CERTIFICATE_PATH"));
        if (o.clientSecret.isEmpty() && certificate.isEmpty())
            vars.required(QStringLiteral("AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH"));
        if (auto problem = vars.problem())
            return *problem;
        if (!certificate.isEmpty()) {
            QFile file(certificate);
            if (!file.open(QIODevice::ReadOnly))
                return AuthError::unavailable(QStringLiteral("Cannot read the certificate %1: %2.")
                                                  .arg(certificate, file.errorString()));
            o.clientCertificate = Secret(file.readAll());
            o.password =
                Secret::fromString(vars.optional(QStringLiteral("AZURE_CLIENT_CERTIFICATE_PASSWORD")));
        }
        return std::shared_ptr<TokenCredential>(
            std::make_shared<OnBehalfOfCredential>(tenant, client, Secret::fromString(assertion), o));
    }
    if (kind == QStringLiteral("managed-identity")) {
        ManagedIdentityCredentialOptions o;
        o.clientId = a.clientId;
        o.environment = env;
        return std::shared_ptr<TokenCredential>(std::make_shared<ManagedIdentityCredential>(o));
    }
    if (kind == QStringLiteral("workload-identity")) {
        auto o = confidential<WorkloadIdentityCredentialOptions>(a);
        o.tenantId = a.tenant;
        o.clientId = a.clientId;
        o.environment = env;
        return std::shared_ptr<TokenCredential>(std::make_shared<WorkloadIdentityCredential>(o));
    }
    if (kind == QStringLiteral("azure-pipelines")) {
        auto o = confidential<AzurePipelinesCredentialOptions>(a);
        o.tenantId = vars.required(QStringLiteral("AZURESUBSCRIPTION_TENANT_ID"), a.tenant);
        o.clientId = vars.required(QStringLiteral("AZURESUBSCRIPTION_CLIENT_ID"), a.clientId);
        o.serviceConnectionId = vars.required(QStringLiteral("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"));
        o.systemAccessToken = Secret::fromString(vars.required(QStringLiteral("SYSTEM_ACCESSTOKEN")));
        o.environment = env;
        if (auto problem = vars.problem())
            return *problem;
        return std::shared_ptr<TokenCredential>(std::make_shared<AzurePipelinesCredential>(o));
    }
    if (kind == QStringLiteral("azure-cli")) {
        AzureCliCredentialOptions o;
        o.tenantId = a.tenant;
        o.environment = env;
        return std::shared_ptr<TokenCredential>(std::make_shared<AzureCliCredential>(o));
    }
    if (kind == QStringLiteral("azure-developer-cli")) {
        AzureDeveloperCliCredentialOptions o;
        o.tenantId = a.tenant;
        o.environment = env;
        return std::shared_ptr<TokenCredential>(std::make_shared<AzureDeveloperCliCredential>(o));
    }
    if (kind == QStringLiteral("azure-powershell")) {
        AzurePowerShellCredentialOptions o;
        o.tenantId = a.tenant;
        o.environment = env;
        return std::shared_ptr<TokenCredential>(std::make_shared<AzurePowerShellCredential>(o));
    }
    if (kind == QStringLiteral("visual-studio-code")) {
        VisualStudioCodeCredentialOptions o;
        o.tenantId = a.tenant;
        return std::shared_ptr<TokenCredential>(std::make_shared<VisualStudioCodeCredential>(o));
    }
    return AuthError::unavailable(QStringLiteral("Unknown credential kind \"%1\"; the kinds are: %2, "
                                                 "shared-token-cache.")
                                      .arg(kind, serviceCredentialKinds().join(QStringLiteral(", "))));
}

} // namespace azid::cli
