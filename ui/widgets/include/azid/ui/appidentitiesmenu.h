#pragma once

#include "azid/model/appsettings.h"
#include "azid/model/developertoolidentities.h"
#include "azid/model/serviceprincipals.h"

#include <QMenu>
#include <QPointer>

namespace azid::ui {

class SecretClipboard;

// The tray menu's "Service principals and tools": each service principal the person added and each
// developer tool signed in on this machine (Azure CLI, azd, Azure PowerShell), with "Copy token:
// <API>" entries as the accounts have, which copy through SecretClipboard; tools that are not signed
// in or not installed are shown, disabled, as such; "Add service principal…" and "Remove". A keychain
// that cannot be read (locked, absent) shows as that error, never as no service principals.
class AppIdentitiesMenu : public QMenu
{
    Q_OBJECT
public:
    AppIdentitiesMenu(model::ServicePrincipals *principals, model::DeveloperToolIdentities *tools,
                      SecretClipboard *clipboard, QWidget *parent = nullptr);

    // Copies take their format and clipboard delay from `settings`; without, the raw token, cleared
    // after the default delay.
    void setSettings(model::AppSettings *settings) { m_settings = settings; }

    // Reads the service principals and asks the tools again, then rebuilds the entries.
    void refresh();
    // What the entries do, also for the accounts window: copies a token for `scope`.
    void copyPrincipalToken(const model::ServicePrincipal &principal, const QString &scope);
    void copyToolToken(const model::DeveloperToolIdentity &identity, const QString &scope);
    // Removes the service principal, then refreshes.
    void removePrincipal(const QString &id);
    // What refresh() found.
    QList<model::ServicePrincipal> servicePrincipals() const { return m_principalsShown; }
    QList<model::DeveloperToolIdentity> toolIdentities() const { return m_toolsShown; }

signals:
    void refreshed();
    void addServicePrincipalRequested();
    // A token was copied, for a notice ("a token for <scope> of <who>").
    void tokenCopied(const QString &who, const QString &scope);
    // A token could not be had (who: whose), or a removal failed.
    void tokenFailed(const QString &who, const AuthError &error);

private:
    void rebuild();
    void addPrincipalMenu(const model::ServicePrincipal &principal);
    void addToolEntry(const model::DeveloperToolIdentity &identity);
    static QString who(const model::DeveloperToolIdentity &identity);
    void copy(const QString &who, const QString &scope, const QFuture<Result<AccessToken>> &token);

    model::ServicePrincipals *m_principals;
    model::DeveloperToolIdentities *m_tools;
    QPointer<SecretClipboard> m_clipboard;
    QPointer<model::AppSettings> m_settings;
    QList<model::ServicePrincipal> m_principalsShown;
    QList<model::DeveloperToolIdentity> m_toolsShown;
    QString m_keychainError; // why the service principals could not be read
};

} // namespace azid::ui
