#include "azid/ui/appidentitiescontroller.h"

#include "azid/model/cloud.h"
#include "azid/ui/appidentitiespanel.h"
#include "azid/ui/serviceprincipaldialog.h"

namespace azid::ui {

AppIdentitiesController::AppIdentitiesController(std::shared_ptr<SecretStore> store,
                                                 model::AppSettings *settings, SecretClipboard *clipboard,
                                                 QObject *parent)
    : QObject(parent), m_principals(std::make_unique<model::ServicePrincipals>(std::move(store))),
      m_tools(std::make_unique<model::DeveloperToolIdentities>()),
      m_menu(std::make_unique<AppIdentitiesMenu>(m_principals.get(), m_tools.get(), clipboard))
{
    m_menu->setSettings(settings);
    connect(m_menu.get(), &AppIdentitiesMenu::addServicePrincipalRequested, this,
            &AppIdentitiesController::openAddDialog);
    connect(m_menu.get(), &AppIdentitiesMenu::tokenCopied, this,
            [this](const QString &who, const QString &scope) {
                emit notice(
                    tr("Token copied"),
                    tr("A token of %1 for %2 is on the clipboard.").arg(who, model::scopeLabel(scope)),
                    false);
            });
    connect(m_menu.get(), &AppIdentitiesMenu::tokenFailed, this,
            [this](const QString &who, const AuthError &error) { emit notice(who, error.message, true); });
    m_menu->refresh();
}

AppIdentitiesController::~AppIdentitiesController() = default;

AppIdentitiesPanel *AppIdentitiesController::createPanel(QWidget *parent)
{
    auto *panel = new AppIdentitiesPanel(m_menu.get(), parent);
    connect(panel, &AppIdentitiesPanel::addServicePrincipalRequested, this,
            &AppIdentitiesController::openAddDialog);
    return panel;
}

void AppIdentitiesController::openAddDialog()
{
    auto *dialog = new ServicePrincipalDialog(m_principals.get());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ServicePrincipalDialog::added, m_menu.get(), &AppIdentitiesMenu::refresh);
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
}

} // namespace azid::ui
