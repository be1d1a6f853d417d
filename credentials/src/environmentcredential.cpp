#include "azid/environmentcredential.h"

#include "azid/authorityhosts.h"
#include "azid/certificatecredential.h"
#include "azid/clientsecretcredential.h"
#include "azid/usernamepasswordcredential.h"
#include "environmentconfiguration.h"
#include "futures.h"
#include "logging.h"

namespace azid {

namespace {
const QString kTenantId = QStringLiteral("AZURE_TENANT_ID");
const QString kClientId = QStringLiteral("AZURE_CLIENT_ID");
const QString kClientSecret = QStringLiteral("AZURE_CLIENT_SECRET");
const QString kCertificatePath = QStringLiteral("AZURE_CLIENT_CERTIFICATE_PATH");
const QString kCertificatePassword = QStringLiteral("AZURE_CLIENT_CERTIFICATE_PASSWORD");
const QString kSendCertificateChain = QStringLiteral("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN");
const QString kUsername = QStringLiteral("AZURE_USERNAME");
const QString kPassword = QStringLiteral("AZURE_PASSWORD");
const QString kAuthorityHost = QStringLiteral("AZURE_AUTHORITY_HOST");

// "A", "A and B", "A, B and C" (or "or").
QString listed(const QStringList &names, const QString &conjunction = QStringLiteral("and"))
{
    if (names.size() <= 1)
        return names.join(QString());
    return names.mid(0, names.size() - 1).join(QStringLiteral(", ")) + QLatin1Char(' ') + conjunction +
           QLatin1Char(' ') + names.last();
}
} // namespace

namespace detail {

EnvironmentConfiguration selectEnvironmentConfiguration(const QProcessEnvironment &environment)
{
    const auto has = [&environment](const QString &name) { return environment.contains(name); };
    const auto missingOf = [&has](const QStringList &required) {
        QStringList missing;
        for (const QString &name : required) {
            if (!has(name))
                missing.append(name);
        }
        return missing;
    };
    const QStringList secretVariables{kTenantId, kClientId, kClientSecret};
    const QStringList certificateVariables{kTenantId, kClientId, kCertificatePath};
    const QStringList userVariables{kClientId, kUsername, kPassword};

    EnvironmentConfiguration result;
    for (const QString &name : {kTenantId, kClientId, kClientSecret, kCertificatePath, kCertificatePassword,
                                kSendCertificateChain, kUsername, kPassword}) {
        if (has(name))
            result.set.append(name);
    }
    if (missingOf(secretVariables).isEmpty()) {
        result.kind = EnvironmentConfiguration::Kind::ClientSecret;
        return result;
    }
    if (missingOf(certificateVariables).isEmpty()) {
        result.kind = EnvironmentConfiguration::Kind::Certificate;
        return result;
    }
    if (missingOf(userVariables).isEmpty()) {
        result.kind = EnvironmentConfiguration::Kind::UsernamePassword;
        return result;
    }

    QString detail;
    if (result.set.isEmpty()) {
        detail = QStringLiteral("none of %1 is set")
                     .arg(listed(secretVariables + QStringList{kCertificatePath, kUsername, kPassword},
                                 QStringLiteral("or")));
    } else {
        QString configuration;
        if (has(kClientSecret)) {
            configuration = QStringLiteral("a client secret");
            result.missing = missingOf(secretVariables);
        } else if (has(kCertificatePath) || has(kCertificatePassword) || has(kSendCertificateChain)) {
            configuration = QStringLiteral("a certificate");
            result.missing = missingOf(certificateVariables);
        } else if (has(kUsername) || has(kPassword)) {
            configuration = QStringLiteral("a username and password");
            result.missing = missingOf(userVariables);
        }
        if (!configuration.isEmpty()) {
            detail = QStringLiteral("%1 %2 set, so %3 configuration is meant, which also needs %4")
                         .arg(listed(result.set),
                              result.set.size() == 1 ? QStringLiteral("is") : QStringLiteral("are"),
                              configuration, listed(result.missing));
        } else {
            // Only the tenant and/or client id: nothing says which kind of credential is meant.
            result.missing = missingOf(secretVariables);
            detail = QStringLiteral("%1 %2 set, but no credential: set %3 for a client secret, %4 for a "
                                    "certificate, or %5 for a user")
                         .arg(listed(result.set),
                              result.set.size() == 1 ? QStringLiteral("is") : QStringLiteral("are"),
                              listed(result.missing), listed(missingOf(certificateVariables)),
                              listed(missingOf(userVariables)));
        }
    }
    result.problem =
        QStringLiteral("EnvironmentCredential authentication unavailable. Environment variables are not "
                       "fully configured: %1.\nVisit "
                       "https://aka.ms/azsdk/python/identity/environmentcredential/troubleshoot to "
                       "troubleshoot this issue.")
            .arg(detail);
    return result;
}

} // namespace detail

namespace {

using Kind = detail::EnvironmentConfiguration::Kind;

// The inner credentials would read AZURE_AUTHORITY_HOST from the process; the environment given
// here is the one that counts.
QString authorityFrom(const EnvironmentCredentialOptions &options, const QProcessEnvironment &environment)
{
    QString authority = options.authority;
    if (authority.isEmpty())
        authority = environment.value(kAuthorityHost);
    if (authority.isEmpty())
        authority = AzureAuthorityHosts::AzurePublicCloud;
    return authority;
}

// The client secret or certificate credential the environment configures.
TokenCredential *makeConfidentialCredential(Kind kind, const QProcessEnvironment &environment,
                                            const EnvironmentCredentialOptions &options,
                                            const QString &authority, QObject *parent)
{
    const auto value = [&environment](const QString &name) { return environment.value(name); };
    ConfidentialClientOptions common;
    common.authority = authority;
    common.additionallyAllowedTenants = options.additionallyAllowedTenants;
    common.disableInstanceDiscovery = options.disableInstanceDiscovery;
    common.cache = options.cache;
    common.clock = options.clock;
    common.http = options.http;
    if (kind == Kind::ClientSecret) {
        ClientSecretCredentialOptions secretOptions;
        static_cast<ConfidentialClientOptions &>(secretOptions) = common;
        return new ClientSecretCredential(value(kTenantId), value(kClientId),
                                          Secret::fromString(value(kClientSecret)), secretOptions, parent);
    }
    CertificateCredentialOptions certificateOptions;
    static_cast<ConfidentialClientOptions &>(certificateOptions) = common;
    certificateOptions.password = Secret::fromString(value(kCertificatePassword));
    // As azure.identity: any non-empty value turns it on, "false" included.
    certificateOptions.sendCertificateChain = !value(kSendCertificateChain).isEmpty();
    return new CertificateCredential(value(kTenantId), value(kClientId), value(kCertificatePath),
                                     certificateOptions, parent);
}

TokenCredential *makeUsernamePasswordCredential(const QProcessEnvironment &environment,
                                                const EnvironmentCredentialOptions &options,
                                                const QString &authority, QObject *parent)
{
    UsernamePasswordCredentialOptions userOptions;
    userOptions.authority = authority;
    userOptions.tenantId = environment.value(kTenantId); // optional: empty means "organizations"
    userOptions.clientId = environment.value(kClientId);
    userOptions.username = environment.value(kUsername);
    userOptions.password = Secret::fromString(environment.value(kPassword));
    userOptions.additionallyAllowedTenants = options.additionallyAllowedTenants;
    userOptions.disableInstanceDiscovery = options.disableInstanceDiscovery;
    userOptions.cache = options.cache;
    userOptions.clock = options.clock;
    userOptions.http = options.http;
    return new UsernamePasswordCredential(userOptions, parent);
}

void logNoConfiguration(const detail::EnvironmentConfiguration &configuration)
{
    if (configuration.set.isEmpty())
        qCInfo(lcCredentials) << "No environment configuration found.";
    else
        qCWarning(lcCredentials).noquote()
            << "Incomplete environment configuration. These variables are set:"
            << configuration.set.join(QStringLiteral(", "))
            << "- missing:" << configuration.missing.join(QStringLiteral(", "));
}

// Says where the bad value came from: the person fixes a variable, not a constructor argument.
AuthError fromVariables(AuthError error, const detail::EnvironmentConfiguration &configuration,
                        const QProcessEnvironment &environment)
{
    QStringList empty;
    for (const QString &name : configuration.set) {
        if (environment.contains(name) && environment.value(name).isEmpty())
            empty << name;
    }
    error.message =
        QStringLiteral("EnvironmentCredential is configured by %1, but the configuration is "
                       "invalid%2: %3")
            .arg(configuration.set.join(QStringLiteral(", ")),
                 empty.isEmpty()
                     ? QString()
                     : QStringLiteral(" (%1 set but empty)").arg(empty.join(QStringLiteral(", "))),
                 error.message);
    return error;
}

} // namespace

EnvironmentCredential::EnvironmentCredential(const EnvironmentCredentialOptions &options, QObject *parent)
    : QObject(parent)
{
    const QProcessEnvironment environment =
        options.environment.value_or(QProcessEnvironment::systemEnvironment());
    const detail::EnvironmentConfiguration configuration =
        detail::selectEnvironmentConfiguration(environment);
    const QString authority = authorityFrom(options, environment);

    switch (configuration.kind) {
    case Kind::ClientSecret:
    case Kind::Certificate:
        m_credential = makeConfidentialCredential(configuration.kind, environment, options, authority, this);
        break;
    case Kind::UsernamePassword:
        m_credential = makeUsernamePasswordCredential(environment, options, authority, this);
        break;
    case Kind::None:
        m_unavailableMessage = configuration.problem;
        logNoConfiguration(configuration);
        return;
    }
    qCInfo(lcCredentials).noquote() << "Environment is configured for" << m_credential->name();
    if (std::optional<AuthError> error = m_credential->configurationError())
        m_configurationError = fromVariables(*error, configuration, environment);
}

EnvironmentCredential::~EnvironmentCredential() = default;

std::optional<AuthError> EnvironmentCredential::configurationError() const
{
    return m_configurationError;
}

QFuture<TokenResult> EnvironmentCredential::getTokenInfo(const TokenRequestOptions &options)
{
    if (m_configurationError)
        return detail::ready(TokenResult(*m_configurationError));
    if (!m_credential)
        return detail::ready(TokenResult(AuthError::unavailable(m_unavailableMessage)));
    return m_credential->getTokenInfo(options);
}

} // namespace azid
