#pragma once

#include "azid/model/appsettings.h"
#include "azid/model/developertoolidentities.h"
#include "azid/model/serviceprincipals.h"
#include "azid/ui/appidentitiesmenu.h"

#include <QObject>

#include <memory>

namespace azid::ui {

class AppIdentitiesPanel;
class SecretClipboard;

// Service principals and developer-tool identities in the tray app: owns them (the service principals
// in the profile's keychain store), the tray's "Service principals and tools" menu, the accounts
// window's panel of them, and the "Add service principal" dialog; copies use the settings' format and
// clipboard delay. What the person must know (a token copied, an error) comes out as notice().
class AppIdentitiesController : public QObject
{
    Q_OBJECT
public:
    AppIdentitiesController(std::shared_ptr<SecretStore> store, model::AppSettings *settings,
                            SecretClipboard *clipboard, QObject *parent = nullptr);
    ~AppIdentitiesController() override;

    AppIdentitiesMenu *menu() const { return m_menu.get(); }
    // A new panel for a window; it lists what the menu last found.
    AppIdentitiesPanel *createPanel(QWidget *parent);
    model::ServicePrincipals &servicePrincipals() { return *m_principals; }

public slots:
    void openAddDialog();

signals:
    void notice(const QString &title, const QString &text, bool warning);

private:
    std::unique_ptr<model::ServicePrincipals> m_principals;
    std::unique_ptr<model::DeveloperToolIdentities> m_tools;
    std::unique_ptr<AppIdentitiesMenu> m_menu;
};

} // namespace azid::ui
