#include "azid/model/cloud.h"

#include "azid/authorityhosts.h"

#include <QCoreApplication>
#include <QUrl>

namespace azid::model {

QString cloudKey(Cloud cloud)
{
    switch (cloud) {
    case Cloud::Public:
        return QStringLiteral("public");
    case Cloud::UsGovernment:
        return QStringLiteral("usgov");
    case Cloud::China:
        return QStringLiteral("china");
    case Cloud::Custom:
        break;
    }
    return QStringLiteral("custom");
}

Cloud cloudFromKey(const QString &key)
{
    for (Cloud cloud : {Cloud::Public, Cloud::UsGovernment, Cloud::China, Cloud::Custom}) {
        if (cloudKey(cloud) == key)
            return cloud;
    }
    return Cloud::Public;
}

QString cloudDisplayName(Cloud cloud)
{
    switch (cloud) {
    case Cloud::Public:
        return QCoreApplication::translate("azid::model::Cloud", "Azure public cloud");
    case Cloud::UsGovernment:
        return QCoreApplication::translate("azid::model::Cloud", "Azure US Government");
    case Cloud::China:
        return QCoreApplication::translate("azid::model::Cloud", "Azure China (21Vianet)");
    case Cloud::Custom:
        break;
    }
    return QCoreApplication::translate("azid::model::Cloud", "Custom authority");
}

QString cloudAuthorityHost(Cloud cloud)
{
    switch (cloud) {
    case Cloud::Public:
        return AzureAuthorityHosts::AzurePublicCloud;
    case Cloud::UsGovernment:
        return AzureAuthorityHosts::AzureGovernment;
    case Cloud::China:
        return AzureAuthorityHosts::AzureChina;
    case Cloud::Custom:
        break;
    }
    return {};
}

QString authorityHostPort(const QString &authority)
{
    const QString trimmed = authority.trimmed();
    if (trimmed.isEmpty())
        return AzureAuthorityHosts::AzurePublicCloud;
    const QUrl url =
        trimmed.contains(QStringLiteral("://")) ? QUrl(trimmed) : QUrl(QStringLiteral("https://") + trimmed);
    if (url.host().isEmpty())
        return trimmed;
    return url.port() > 0 ? QStringLiteral("%1:%2").arg(url.host()).arg(url.port()) : url.host();
}

Cloud cloudOfAuthority(const QString &authority)
{
    const QString host = authorityHostPort(authority).toLower();
    for (Cloud cloud : {Cloud::Public, Cloud::UsGovernment, Cloud::China}) {
        if (host == cloudAuthorityHost(cloud))
            return cloud;
    }
    // The other names of Microsoft's sign-in hosts.
    if (host == QStringLiteral("login.windows.net") || host == QStringLiteral("login.microsoft.com") ||
        host == QStringLiteral("sts.windows.net"))
        return Cloud::Public;
    if (host == QStringLiteral("login.usgovcloudapi.net"))
        return Cloud::UsGovernment;
    if (host == QStringLiteral("login.partner.microsoftonline.cn"))
        return Cloud::China;
    return Cloud::Custom;
}

QString authorityLabel(const QString &authority)
{
    const Cloud cloud = cloudOfAuthority(authority);
    switch (cloud) {
    case Cloud::Public:
        return QCoreApplication::translate("azid::model::Cloud", "Azure");
    case Cloud::UsGovernment:
        return QCoreApplication::translate("azid::model::Cloud", "Azure US Gov");
    case Cloud::China:
        return QCoreApplication::translate("azid::model::Cloud", "Azure China");
    case Cloud::Custom:
        break;
    }
    return authorityHostPort(authority);
}

QString resourceManagerScope(Cloud cloud)
{
    switch (cloud) {
    case Cloud::UsGovernment:
        return QStringLiteral("https://management.usgovcloudapi.net/.default");
    case Cloud::China:
        return QStringLiteral("https://management.chinacloudapi.cn/.default");
    case Cloud::Public:
    case Cloud::Custom:
        break;
    }
    return QStringLiteral("https://management.azure.com/.default");
}

QList<ScopePreset> scopePresets(Cloud cloud)
{
    const QString devOps = QStringLiteral("499b84ac-1321-427f-aa17-267ca6975798/.default");
    const QString storage = QStringLiteral("https://storage.azure.com/.default");
    switch (cloud) {
    case Cloud::UsGovernment:
        return {{QCoreApplication::translate("azid::model::Cloud", "Azure Resource Manager"),
                 resourceManagerScope(cloud)},
                {QCoreApplication::translate("azid::model::Cloud", "Microsoft Graph"),
                 QStringLiteral("https://graph.microsoft.us/.default")},
                {QCoreApplication::translate("azid::model::Cloud", "Azure Storage"), storage},
                {QCoreApplication::translate("azid::model::Cloud", "Key Vault"),
                 QStringLiteral("https://vault.usgovcloudapi.net/.default")},
                {QCoreApplication::translate("azid::model::Cloud", "Azure DevOps"), devOps}};
    case Cloud::China:
        return {{QCoreApplication::translate("azid::model::Cloud", "Azure Resource Manager"),
                 resourceManagerScope(cloud)},
                {QCoreApplication::translate("azid::model::Cloud", "Microsoft Graph"),
                 QStringLiteral("https://microsoftgraph.chinacloudapi.cn/.default")},
                {QCoreApplication::translate("azid::model::Cloud", "Azure Storage"), storage},
                {QCoreApplication::translate("azid::model::Cloud", "Key Vault"),
                 QStringLiteral("https://vault.azure.cn/.default")},
                {QCoreApplication::translate("azid::model::Cloud", "Azure DevOps"), devOps}};
    case Cloud::Public:
    case Cloud::Custom:
        break;
    }
    return {{QCoreApplication::translate("azid::model::Cloud", "Azure Resource Manager"),
             resourceManagerScope(Cloud::Public)},
            {QCoreApplication::translate("azid::model::Cloud", "Microsoft Graph"),
             QStringLiteral("https://graph.microsoft.com/.default")},
            {QCoreApplication::translate("azid::model::Cloud", "Azure Storage"), storage},
            {QCoreApplication::translate("azid::model::Cloud", "Key Vault"),
             QStringLiteral("https://vault.azure.net/.default")},
            {QCoreApplication::translate("azid::model::Cloud", "Azure DevOps"), devOps}};
}

QString scopeLabel(const QString &scope)
{
    for (Cloud cloud : {Cloud::Public, Cloud::UsGovernment, Cloud::China}) {
        for (const ScopePreset &preset : scopePresets(cloud)) {
            if (preset.scope.compare(scope, Qt::CaseInsensitive) == 0)
                return preset.label;
        }
    }
    return scope;
}

} // namespace azid::model
