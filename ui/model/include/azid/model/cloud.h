#pragma once

#include <QList>
#include <QString>

namespace azid::model {

enum class Cloud {
    Public,
    UsGovernment,
    China,
    Custom, // any other authority (a private cloud, azid-sandbox, a generic OpenID provider)
};

// "public", "usgov", "china", "custom": how settings and the sign-in dialog name a cloud.
QString cloudKey(Cloud cloud);
Cloud cloudFromKey(const QString &key);
// "Azure public cloud", ..., translated.
QString cloudDisplayName(Cloud cloud);
// The sign-in host of a Microsoft cloud (login.microsoftonline.com, ...); empty for Custom.
QString cloudAuthorityHost(Cloud cloud);
// Which cloud an authority (a host, host:port or https URL; empty: the public cloud) belongs to.
Cloud cloudOfAuthority(const QString &authority);
// The host[:port] of an authority given as a host or a URL.
QString authorityHostPort(const QString &authority);
// For menus: the cloud's short name, or the host of a custom authority.
QString authorityLabel(const QString &authority);

struct ScopePreset
{
    QString label; // "Azure Resource Manager", translated
    QString scope; // "https://management.azure.com/.default"
};

// The resources the tray offers for an account of this cloud: Azure Resource Manager, Microsoft
// Graph, Azure Storage, Key Vault, Azure DevOps. A custom authority gets the public cloud's.
QList<ScopePreset> scopePresets(Cloud cloud);
// The label of a known scope in any cloud, else the scope itself.
QString scopeLabel(const QString &scope);
// Azure Resource Manager's scope of the cloud.
QString resourceManagerScope(Cloud cloud);

} // namespace azid::model
