#include "azid/model/appsettings.h"

#include "azid/model/cloud.h"

#include <QDir>
#include <QStandardPaths>
#include <QUrl>

namespace azid::model {

namespace {
const QString kAuthority = QStringLiteral("signIn/authority");
const QString kTenant = QStringLiteral("signIn/tenant");
const QString kClientId = QStringLiteral("signIn/clientId");
const QString kMethod = QStringLiteral("signIn/method");
const QString kFormat = QStringLiteral("clipboard/format");
const QString kClearSeconds = QStringLiteral("clipboard/clearSeconds");
const QString kStartAtLogin = QStringLiteral("general/startAtLogin");
const QString kMemoryOnly = QStringLiteral("general/memoryOnly");
const QString kCaBundle = QStringLiteral("network/caBundle");
const QString kProxyMode = QStringLiteral("network/proxyMode");
const QString kProxyUrl = QStringLiteral("network/proxyUrl");
const QString kRecentScopes = QStringLiteral("tokens/recentScopes");
const QString kTenantNames = QStringLiteral("tenantNames/");
const QString kRecentAccounts = QStringLiteral("tokens/recentAccounts");
const QString kServedAccounts = QStringLiteral("localTools/servedAccounts");
const QString kAccountsColumns = QStringLiteral("window/accountsColumns");
const QString kCloseToTrayNoticeShown = QStringLiteral("window/closeToTrayNoticeShown");

QString profileFolder(const QString &profile)
{
    return profile.isEmpty() ? QStringLiteral("default") : profile;
}
} // namespace

QString formatToken(const QString &token, TokenFormat format)
{
    return format == TokenFormat::BearerHeader ? QStringLiteral("Authorization: Bearer ") + token : token;
}

QString tokenFormatName(TokenFormat format)
{
    //: "Authorization: Bearer" is the HTTP header as it is copied: keep it as it is
    return format == TokenFormat::BearerHeader ? AppSettings::tr("Authorization: Bearer header")
                                               : AppSettings::tr("Raw token");
}

AppSettings::AppSettings(const QString &profile, QObject *parent)
    : AppSettings(profile, defaultFilePath(profile), parent)
{}

AppSettings::AppSettings(const QString &profile, const QString &filePath, QObject *parent)
    : QObject(parent), m_profile(profileFolder(profile)),
      m_settings(std::make_unique<QSettings>(filePath, QSettings::IniFormat))
{}

QString AppSettings::defaultFilePath(const QString &profile)
{
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
    return QDir(base).filePath(QStringLiteral("azid/%1/azid.conf").arg(profileFolder(profile)));
}

QString AppSettings::filePath() const
{
    return m_settings->fileName();
}

void AppSettings::set(const QString &key, const QVariant &value)
{
    if (m_settings->value(key) == value && m_settings->contains(key))
        return;
    m_settings->setValue(key, value);
    emit changed();
}

QString AppSettings::defaultAuthority() const
{
    return m_settings->value(kAuthority).toString();
}

void AppSettings::setDefaultAuthority(const QString &authority)
{
    set(kAuthority, authority.trimmed());
}

QString AppSettings::defaultTenant() const
{
    return m_settings->value(kTenant).toString();
}

void AppSettings::setDefaultTenant(const QString &tenant)
{
    set(kTenant, tenant.trimmed());
}

QString AppSettings::defaultClientId() const
{
    return m_settings->value(kClientId).toString();
}

void AppSettings::setDefaultClientId(const QString &clientId)
{
    set(kClientId, clientId.trimmed());
}

QString AppSettings::lastSignInMethod() const
{
    return m_settings->value(kMethod).toString();
}

void AppSettings::setLastSignInMethod(const QString &method)
{
    set(kMethod, method);
}

TokenFormat AppSettings::tokenFormat() const
{
    return m_settings->value(kFormat).toString() == QStringLiteral("bearer") ? TokenFormat::BearerHeader
                                                                             : TokenFormat::Raw;
}

void AppSettings::setTokenFormat(TokenFormat format)
{
    set(kFormat, format == TokenFormat::BearerHeader ? QStringLiteral("bearer") : QStringLiteral("raw"));
}

int AppSettings::clipboardClearSeconds() const
{
    bool ok = false;
    const int seconds = m_settings->value(kClearSeconds, DefaultClearSeconds).toInt(&ok);
    return ok && seconds >= 0 ? seconds : DefaultClearSeconds;
}

void AppSettings::setClipboardClearSeconds(int seconds)
{
    set(kClearSeconds, qMax(0, seconds));
}

std::chrono::milliseconds AppSettings::clipboardClearDelay() const
{
    return std::chrono::seconds(clipboardClearSeconds());
}

bool AppSettings::startAtLogin() const
{
    return m_settings->value(kStartAtLogin, false).toBool();
}

void AppSettings::setStartAtLogin(bool enabled)
{
    set(kStartAtLogin, enabled);
}

QString AppSettings::caBundle() const
{
    return m_settings->value(kCaBundle).toString();
}

void AppSettings::setCaBundle(const QString &file)
{
    set(kCaBundle, file.trimmed());
}

ProxyMode AppSettings::proxyMode() const
{
    return m_settings->value(kProxyMode).toString() == QStringLiteral("manual") ? ProxyMode::Manual
                                                                                : ProxyMode::System;
}

void AppSettings::setProxyMode(ProxyMode mode)
{
    set(kProxyMode, mode == ProxyMode::Manual ? QStringLiteral("manual") : QStringLiteral("system"));
}

QString AppSettings::proxyUrl() const
{
    return m_settings->value(kProxyUrl).toString();
}

void AppSettings::setProxyUrl(const QString &url)
{
    // Never a password in the plain-text settings file, whoever calls this.
    QUrl proxy(url.trimmed());
    proxy.setPassword(QString());
    set(kProxyUrl, proxy.isEmpty() ? QString() : proxy.toString());
}

HttpOptions AppSettings::httpOptions() const
{
    HttpOptions options;
    options.caBundleFile = caBundle();
    if (proxyMode() == ProxyMode::Manual && !proxyUrl().isEmpty())
        options.proxy = QUrl(proxyUrl());
    return options;
}

bool AppSettings::memoryOnly() const
{
    return m_settings->value(kMemoryOnly, false).toBool();
}

void AppSettings::setMemoryOnly(bool enabled)
{
    set(kMemoryOnly, enabled);
}

QStringList AppSettings::recentScopes() const
{
    return m_settings->value(kRecentScopes).toStringList().mid(0, MaxRecentScopes);
}

void AppSettings::addRecentScope(const QString &scope)
{
    const QString trimmed = scope.trimmed();
    if (trimmed.isEmpty())
        return;
    // The presets are always in the menu.
    if (scopeLabel(trimmed) != trimmed)
        return;
    QStringList scopes = recentScopes();
    scopes.removeAll(trimmed);
    scopes.prepend(trimmed);
    set(kRecentScopes, scopes.mid(0, MaxRecentScopes));
}

QStringList AppSettings::recentAccounts() const
{
    return m_settings->value(kRecentAccounts).toStringList().mid(0, MaxRecentAccounts);
}

void AppSettings::addRecentAccount(const QString &accountId)
{
    if (accountId.isEmpty())
        return;
    QStringList ids = recentAccounts();
    ids.removeAll(accountId);
    ids.prepend(accountId);
    set(kRecentAccounts, ids.mid(0, MaxRecentAccounts));
}

QStringList AppSettings::servedAccounts() const
{
    return m_settings->value(kServedAccounts).toStringList();
}

void AppSettings::setServedAccounts(const QStringList &accountIds)
{
    set(kServedAccounts, accountIds);
}

QString AppSettings::tenantName(const QString &tenantId) const
{
    return m_settings->value(kTenantNames + tenantId.toLower()).toString();
}

void AppSettings::setTenantName(const QString &tenantId, const QString &name)
{
    if (tenantId.isEmpty())
        return;
    set(kTenantNames + tenantId.toLower(), name.trimmed());
}

QByteArray AppSettings::accountsColumns() const
{
    return m_settings->value(kAccountsColumns).toByteArray();
}

void AppSettings::setAccountsColumns(const QByteArray &state)
{
    m_settings->setValue(kAccountsColumns, state);
}

bool AppSettings::closeToTrayNoticeShown() const
{
    return m_settings->value(kCloseToTrayNoticeShown, false).toBool();
}

void AppSettings::setCloseToTrayNoticeShown(bool shown)
{
    m_settings->setValue(kCloseToTrayNoticeShown, shown);
}

void AppSettings::sync()
{
    m_settings->sync();
}

QSettings::Status AppSettings::status() const
{
    return m_settings->status();
}

} // namespace azid::model
