#include "azid/ui/appidentitiesmenu.h"

#include "azid/model/cloud.h"
#include "azid/model/whenready.h"
#include "azid/ui/secretclipboard.h"

namespace azid::ui {

namespace {
// The scopes a confidential client can ask for: every preset ends in /.default.
QList<model::ScopePreset> presetsFor(const QString &authority)
{
    return model::scopePresets(model::cloudOfAuthority(authority));
}
} // namespace

AppIdentitiesMenu::AppIdentitiesMenu(model::ServicePrincipals *principals,
                                     model::DeveloperToolIdentities *tools, SecretClipboard *clipboard,
                                     QWidget *parent)
    : QMenu(tr("Service principals and tools"), parent), m_principals(principals), m_tools(tools),
      m_clipboard(clipboard)
{
    setToolTipsVisible(true);
    rebuild();
}

void AppIdentitiesMenu::refresh()
{
    model::whenReady(m_principals->list(), this,
                     [this](const Result<QList<model::ServicePrincipal>> &listed) {
                         m_keychainError = listed ? QString() : listed.error().message;
                         m_principalsShown = listed ? listed.value() : QList<model::ServicePrincipal>();
                         model::whenReady(m_tools->detect(), this,
                                          [this](const QList<model::DeveloperToolIdentity> &found) {
                                              m_toolsShown = found;
                                              rebuild();
                                              emit refreshed();
                                          });
                     });
}

void AppIdentitiesMenu::rebuild()
{
    clear();
    addSection(tr("Service principals"));
    if (!m_keychainError.isEmpty()) {
        QAction *error = addAction(tr("Cannot read the keychain"));
        error->setEnabled(false);
        error->setToolTip(m_keychainError);
    }
    for (const model::ServicePrincipal &principal : m_principalsShown)
        addPrincipalMenu(principal);
    connect(addAction(tr("Add service principal…")), &QAction::triggered, this,
            &AppIdentitiesMenu::addServicePrincipalRequested);
    addSection(tr("Developer tools"));
    for (const model::DeveloperToolIdentity &identity : m_toolsShown)
        addToolEntry(identity);
    connect(addAction(tr("Look again")), &QAction::triggered, this, &AppIdentitiesMenu::refresh);
}

void AppIdentitiesMenu::addPrincipalMenu(const model::ServicePrincipal &principal)
{
    QMenu *submenu = addMenu(principal.displayName);
    submenu->setToolTipsVisible(true);
    submenu->menuAction()->setToolTip(tr("App %1 in tenant %2").arg(principal.clientId, principal.tenantId));
    for (const model::ScopePreset &preset : presetsFor(principal.authority)) {
        //: A tray menu entry: %1 is the API, e.g. "Azure Resource Manager"
        QAction *action = submenu->addAction(tr("Copy token: %1").arg(preset.label));
        action->setToolTip(tr("Copy a token for %1").arg(preset.scope));
        connect(action, &QAction::triggered, this,
                [this, principal, scope = preset.scope]() { copyPrincipalToken(principal, scope); });
    }
    submenu->addSeparator();
    connect(submenu->addAction(tr("Remove")), &QAction::triggered, this,
            [this, id = principal.id]() { removePrincipal(id); });
}

void AppIdentitiesMenu::copyPrincipalToken(const model::ServicePrincipal &principal, const QString &scope)
{
    copy(principal.displayName, scope, m_principals->token(principal, scope));
}

void AppIdentitiesMenu::copyToolToken(const model::DeveloperToolIdentity &identity, const QString &scope)
{
    copy(who(identity), scope, m_tools->token(identity.tool, scope));
}

void AppIdentitiesMenu::removePrincipal(const QString &id)
{
    model::whenReady(m_principals->remove(id), this, [this](const VoidResult &removed) {
        if (!removed)
            emit tokenFailed(tr("Remove service principal"), removed.error());
        refresh();
    });
}

QString AppIdentitiesMenu::who(const model::DeveloperToolIdentity &identity)
{
    const QString tool = model::DeveloperToolIdentity::toolName(identity.tool);
    return identity.account.isEmpty() ? tool : tr("%1 — %2").arg(tool, identity.account);
}

void AppIdentitiesMenu::addToolEntry(const model::DeveloperToolIdentity &identity)
{
    using State = model::DeveloperToolIdentity::State;
    const QString tool = model::DeveloperToolIdentity::toolName(identity.tool);
    if (identity.state != State::SignedIn) {
        QAction *shown =
            addAction(identity.state == State::NotInstalled ? tr("%1 — not installed").arg(tool)
                                                            : tr("%1 — not signed in").arg(tool));
        shown->setEnabled(false);
        shown->setToolTip(identity.detail);
        return;
    }
    QMenu *submenu = addMenu(who(identity));
    submenu->setToolTipsVisible(true);
    for (const model::ScopePreset &preset : presetsFor(QString())) {
        QAction *action = submenu->addAction(tr("Copy token: %1").arg(preset.label));
        action->setToolTip(tr("Copy a token for %1").arg(preset.scope));
        connect(action, &QAction::triggered, this,
                [this, identity, scope = preset.scope]() { copyToolToken(identity, scope); });
    }
}

void AppIdentitiesMenu::copy(const QString &who, const QString &scope,
                             const QFuture<Result<AccessToken>> &token)
{
    model::whenReady(token, this, [this, who, scope](const Result<AccessToken> &result) {
        if (!result) {
            emit tokenFailed(who, result.error());
            return;
        }
        const model::TokenFormat format = m_settings ? m_settings->tokenFormat() : model::TokenFormat::Raw;
        const auto delay = m_settings
                               ? m_settings->clipboardClearDelay()
                               : std::chrono::milliseconds(model::AppSettings::DefaultClearSeconds * 1000);
        QString text = model::formatToken(result.value().token.revealString(), format);
        if (m_clipboard)
            m_clipboard->copySecret(text, delay);
        text.fill(QLatin1Char('\0'));
        emit tokenCopied(who, scope);
    });
}

} // namespace azid::ui
