#pragma once

#include <QString>

namespace azid {

// The sign-in hosts of Microsoft's clouds, as azure.identity's AzureAuthorityHosts names them.
namespace AzureAuthorityHosts {
inline const QString AzurePublicCloud = QStringLiteral("login.microsoftonline.com");
inline const QString AzureGovernment = QStringLiteral("login.microsoftonline.us");
inline const QString AzureChina = QStringLiteral("login.chinacloudapi.cn");
} // namespace AzureAuthorityHosts

// azure.identity's KnownAuthorities: another name of AzureAuthorityHosts.
namespace KnownAuthorities = AzureAuthorityHosts;

inline const QString DeveloperSignOnClientId = QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46");
inline const QString DefaultTenant = QStringLiteral("organizations");

} // namespace azid
