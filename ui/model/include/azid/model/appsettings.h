#pragma once

#include "azid/httpoptions.h"

#include <QObject>
#include <QSettings>
#include <QStringList>

#include <chrono>
#include <memory>

namespace azid::model {

enum class TokenFormat {
    Raw,          // the token alone
    BearerHeader, // "Authorization: Bearer <token>"
};
QString formatToken(const QString &token, TokenFormat format);
// For people, translated: "Raw token", "Authorization: Bearer header".
QString tokenFormatName(TokenFormat format);

enum class ProxyMode {
    System, // HTTPS_PROXY, else the desktop's proxy settings
    Manual, // proxyUrl()
};

// The app's settings, one INI file per profile: <config>/azid/<profile>/azid.conf. Setters write
// through and emit changed().
class AppSettings : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultClearSeconds = 60;
    static constexpr int MaxRecentScopes = 5;
    static constexpr int MaxRecentAccounts = 5;

    explicit AppSettings(const QString &profile, QObject *parent = nullptr);
    // Tests keep their settings elsewhere.
    AppSettings(const QString &profile, const QString &filePath, QObject *parent = nullptr);

    static QString defaultFilePath(const QString &profile);
    QString filePath() const;
    QString profile() const { return m_profile; }

    // New sign-ins: an authority host or URL (empty: the public cloud), a tenant (empty:
    // "organizations") and a client id (empty: azure.identity's default).
    QString defaultAuthority() const;
    void setDefaultAuthority(const QString &authority);
    QString defaultTenant() const;
    void setDefaultTenant(const QString &tenant);
    QString defaultClientId() const;
    void setDefaultClientId(const QString &clientId);
    QString lastSignInMethod() const;
    void setLastSignInMethod(const QString &method);

    TokenFormat tokenFormat() const;
    void setTokenFormat(TokenFormat format);
    // 0: never cleared.
    int clipboardClearSeconds() const;
    void setClipboardClearSeconds(int seconds);
    std::chrono::milliseconds clipboardClearDelay() const;

    bool startAtLogin() const;
    void setStartAtLogin(bool enabled);

    // Extra CA certificates (a PEM file), for TLS-inspecting proxies and private authorities.
    QString caBundle() const;
    void setCaBundle(const QString &file);
    ProxyMode proxyMode() const;
    void setProxyMode(ProxyMode mode);
    QString proxyUrl() const;
    void setProxyUrl(const QString &url);
    // What the library is given: the CA bundle and the proxy above.
    HttpOptions httpOptions() const;

    // Nothing stored, neither in the keychain nor on disk (ProfileStorage::Options::memoryOnly, like
    // azid-cli --memory-only); read at start.
    bool memoryOnly() const;
    void setMemoryOnly(bool enabled);

    // Most recent first, at most MaxRecentScopes, without the presets.
    QStringList recentScopes() const;
    void addRecentScope(const QString &scope);
    // The accounts whose tokens were copied last (home account ids), most recent first, at most
    // MaxRecentAccounts: the tray menu shows them first when there are many.
    QStringList recentAccounts() const;
    void addRecentAccount(const QString &accountId);

    // The accounts served to local tools through a managed-identity endpoint ("Serve to local tools",
    // home account ids): their endpoints start again with the app.
    QStringList servedAccounts() const;
    void setServedAccounts(const QStringList &accountIds);

    // Tenant names as the user typed them at sign-in (contoso.onmicrosoft.com), by tenant id.
    QString tenantName(const QString &tenantId) const;
    void setTenantName(const QString &tenantId, const QString &name);

    // The accounts window's column widths as the person left them (QHeaderView::saveState()); empty
    // until they resize one. Not a change of settings: changed() is not emitted.
    QByteArray accountsColumns() const;
    void setAccountsColumns(const QByteArray &state);
    // The accounts window was closed to the tray once and Azid said it keeps running there.
    bool closeToTrayNoticeShown() const;
    void setCloseToTrayNoticeShown(bool shown);

    void sync();
    QSettings::Status status() const;

signals:
    void changed();

private:
    void set(const QString &key, const QVariant &value);

    QString m_profile;
    std::unique_ptr<QSettings> m_settings;
};

} // namespace azid::model
