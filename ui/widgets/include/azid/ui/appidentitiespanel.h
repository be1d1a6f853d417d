#pragma once

#include <QWidget>

class QPushButton;
class QTreeWidget;

namespace azid::ui {

class AppIdentitiesMenu;

// The accounts window's list of service principals and developer-tool identities: name, kind, client
// id or account, tenant and state, as the tray's "Service principals and tools" menu last found them,
// with "Add service principal…", "Copy token: Azure Resource Manager", "Remove" and "Look again".
class AppIdentitiesPanel : public QWidget
{
    Q_OBJECT
public:
    explicit AppIdentitiesPanel(AppIdentitiesMenu *menu, QWidget *parent = nullptr);

    QTreeWidget *list() const { return m_list; }

signals:
    void addServicePrincipalRequested();

private:
    void fill();
    void updateButtons();
    void copySelected();
    void removeSelected();

    AppIdentitiesMenu *m_menu;
    QTreeWidget *m_list;
    QPushButton *m_copy;
    QPushButton *m_remove;
};

} // namespace azid::ui
