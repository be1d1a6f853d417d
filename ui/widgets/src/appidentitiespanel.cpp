#include "azid/ui/appidentitiespanel.h"

#include "azid/model/cloud.h"
#include "azid/ui/appidentitiesmenu.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace azid::ui {

namespace {
// Which row is which: a service principal (its index in the menu's list) or a tool.
enum Role { KindRole = Qt::UserRole, IndexRole };
enum RowKind { PrincipalRow, ToolRow };

QString stateText(model::DeveloperToolIdentity::State state)
{
    switch (state) {
    case model::DeveloperToolIdentity::State::SignedIn:
        return AppIdentitiesPanel::tr("Signed in");
    case model::DeveloperToolIdentity::State::NotSignedIn:
        return AppIdentitiesPanel::tr("Not signed in");
    case model::DeveloperToolIdentity::State::NotInstalled:
        return AppIdentitiesPanel::tr("Not installed");
    }
    return {};
}
} // namespace

AppIdentitiesPanel::AppIdentitiesPanel(AppIdentitiesMenu *menu, QWidget *parent)
    : QWidget(parent), m_menu(menu)
{
    m_list = new QTreeWidget(this);
    m_list->setAccessibleName(tr("Service principals and developer tools"));
    m_list->setRootIsDecorated(false);
    m_list->setHeaderLabels({tr("Name"), tr("Kind"), tr("Client ID or account"), tr("Tenant"), tr("State")});
    m_list->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto *add = new QPushButton(tr("Add service principal…"), this);
    add->setToolTip(tr("Add an app identity with its client secret or certificate, kept in the keychain"));
    m_copy = new QPushButton(tr("Copy token: Azure Resource Manager"), this);
    m_copy->setToolTip(tr("Copy a token of the selected identity; the tray menu offers other APIs"));
    m_remove = new QPushButton(tr("Remove"), this);
    m_remove->setToolTip(tr("Remove the selected service principal and its secret from the keychain"));
    auto *again = new QPushButton(tr("Look again"), this);
    again->setToolTip(tr("Read the service principals and ask the developer tools again"));
    auto *buttons = new QHBoxLayout;
    for (QPushButton *button : {add, m_copy, m_remove, again})
        buttons->addWidget(button);
    buttons->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_list);
    layout->addLayout(buttons);

    connect(add, &QPushButton::clicked, this, &AppIdentitiesPanel::addServicePrincipalRequested);
    connect(m_copy, &QPushButton::clicked, this, &AppIdentitiesPanel::copySelected);
    connect(m_remove, &QPushButton::clicked, this, &AppIdentitiesPanel::removeSelected);
    connect(again, &QPushButton::clicked, m_menu, &AppIdentitiesMenu::refresh);
    connect(m_menu, &AppIdentitiesMenu::refreshed, this, &AppIdentitiesPanel::fill);
    connect(m_list, &QTreeWidget::itemSelectionChanged, this, &AppIdentitiesPanel::updateButtons);
    fill();
}

void AppIdentitiesPanel::fill()
{
    m_list->clear();
    const auto principals = m_menu->servicePrincipals();
    for (int i = 0; i < principals.size(); ++i) {
        const model::ServicePrincipal &p = principals.at(i);
        auto *item = new QTreeWidgetItem(m_list, {p.displayName,
                                                  p.kind == model::ServicePrincipal::Kind::Certificate
                                                      ? tr("Service principal (certificate)")
                                                      : tr("Service principal (secret)"),
                                                  p.clientId, p.tenantId, tr("In the keychain")});
        item->setToolTip(0, model::authorityLabel(p.authority));
        item->setData(0, KindRole, PrincipalRow);
        item->setData(0, IndexRole, i);
    }
    const auto tools = m_menu->toolIdentities();
    for (int i = 0; i < tools.size(); ++i) {
        const model::DeveloperToolIdentity &t = tools.at(i);
        auto *item =
            new QTreeWidgetItem(m_list, {model::DeveloperToolIdentity::toolName(t.tool), tr("Developer tool"),
                                         t.account, t.tenantId, stateText(t.state)});
        item->setToolTip(4, t.detail);
        item->setData(0, KindRole, ToolRow);
        item->setData(0, IndexRole, i);
    }
    updateButtons();
}

void AppIdentitiesPanel::updateButtons()
{
    const QTreeWidgetItem *item = m_list->currentItem();
    const bool selected = item && item->isSelected();
    const bool principal = selected && item->data(0, KindRole).toInt() == PrincipalRow;
    const bool signedInTool = selected && !principal &&
                              m_menu->toolIdentities().value(item->data(0, IndexRole).toInt()).state ==
                                  model::DeveloperToolIdentity::State::SignedIn;
    m_copy->setEnabled(principal || signedInTool);
    m_remove->setEnabled(principal);
}

void AppIdentitiesPanel::copySelected()
{
    const QTreeWidgetItem *item = m_list->currentItem();
    if (!item)
        return;
    const int index = item->data(0, IndexRole).toInt();
    if (item->data(0, KindRole).toInt() == PrincipalRow) {
        const model::ServicePrincipal principal = m_menu->servicePrincipals().value(index);
        m_menu->copyPrincipalToken(principal,
                                   model::resourceManagerScope(model::cloudOfAuthority(principal.authority)));
    } else {
        m_menu->copyToolToken(m_menu->toolIdentities().value(index),
                              model::resourceManagerScope(model::Cloud::Public));
    }
}

void AppIdentitiesPanel::removeSelected()
{
    const QTreeWidgetItem *item = m_list->currentItem();
    if (!item || item->data(0, KindRole).toInt() != PrincipalRow)
        return;
    const model::ServicePrincipal principal =
        m_menu->servicePrincipals().value(item->data(0, IndexRole).toInt());
    auto *question =
        new QMessageBox(QMessageBox::Question, tr("Remove service principal"),
                        tr("Remove %1 and its secret from the keychain? The app itself is not changed.")
                            .arg(principal.displayName),
                        QMessageBox::Cancel, this);
    question->setObjectName(QStringLiteral("removeServicePrincipal"));
    question->setAttribute(Qt::WA_DeleteOnClose);
    QAbstractButton *remove = question->addButton(tr("Remove"), QMessageBox::DestructiveRole);
    question->setDefaultButton(QMessageBox::Cancel);
    connect(question, &QMessageBox::buttonClicked, this,
            [this, remove, id = principal.id](QAbstractButton *clicked) {
                if (clicked == remove)
                    m_menu->removePrincipal(id);
            });
    question->open();
}

} // namespace azid::ui
