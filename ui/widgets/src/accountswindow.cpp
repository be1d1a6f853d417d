#include "azid/ui/accountswindow.h"

#include "azid/model/cloud.h"
#include "azid/model/errortext.h"
#include "azid/model/records.h"
#include "azid/model/whenready.h"
#include "resources.h"

#include <QCloseEvent>
#include <QFile>
#include <QFileDialog>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QScopedValueRollback>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace azid::ui {

namespace {

// "Add account… (Ctrl+N)": what a tooltip says, with the shortcut a person can use instead.
QString withShortcut(const QString &text, const QKeySequence &shortcut)
{
    QString plain = text;
    plain.remove(QChar(0x2026)).remove(QLatin1Char('&'));
    if (shortcut.isEmpty())
        return plain;
    //: A tooltip: what the action does, then its keyboard shortcut
    return AccountsWindow::tr("%1 (%2)").arg(plain, shortcut.toString(QKeySequence::NativeText));
}

} // namespace

struct AccountsWindow::PendingImport
{
    model::ImportPlan plan;
    QStringList confirmedAuthorities;
};

AccountsWindow::AccountsWindow(model::AccountService *service, AccountsModel *model,
                               model::AppSettings *settings, QWidget *parent)
    : QMainWindow(parent), m_service(service), m_model(model), m_settings(settings)
{
    initResources();
    setObjectName(QStringLiteral("accountsWindow"));
    setWindowTitle(tr("Accounts — Azid"));
    setWindowIcon(QIcon(QStringLiteral(":/azid/icons/azid.svg")));
    resize(1240, 420);

    createActions();
    QToolBar *toolbar = createToolbar();
    setCentralWidget(createCentralWidget());
    makeToolbarFocusable(toolbar);
    createContextMenu();
    createShortcuts();
    connectModel();
    restoreColumns();
    updateEmptyState();
    updateActions();
    updateKeychainBanner();
    if (m_model->rowCount() > 0)
        m_view->selectRow(0);
}

QAction *AccountsWindow::createAction(const QString &text, const QString &iconName,
                                      const QKeySequence &shortcut, const QString &objectName)
{
    auto *action = new QAction(actionIcon(iconName), text, this);
    action->setObjectName(objectName);
    action->setShortcut(shortcut);
    action->setToolTip(withShortcut(text, shortcut));
    // Reachable from the whole window, also when the toolbar does not show the action.
    addAction(action);
    return action;
}

void AccountsWindow::createActions()
{
    m_add = createAction(tr("Add account…"), QStringLiteral("list-add"), QKeySequence::New,
                         QStringLiteral("addAccountAction"));
    m_signInAgain = createAction(tr("Sign in again…"), QStringLiteral("view-refresh"),
                                 QKeySequence(Qt::CTRL | Qt::Key_R), QStringLiteral("signInAgainAction"));
    m_copyDefault = createAction(tr("Copy token: Azure Resource Manager"), QStringLiteral("edit-copy"),
                                 QKeySequence::Copy, QStringLiteral("copyDefaultTokenAction"));
    m_copyChoose =
        createAction(tr("Copy token…"), QStringLiteral("edit-copy"),
                     QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), QStringLiteral("copyTokenAction"));
    m_inspect = createAction(tr("Inspect token…"), QStringLiteral("edit-find"),
                             QKeySequence(Qt::CTRL | Qt::Key_I), QStringLiteral("inspectTokenAction"));
    m_setDefault = createAction(tr("Set as default"), QStringLiteral("starred"),
                                QKeySequence(Qt::CTRL | Qt::Key_D), QStringLiteral("setDefaultAction"));
    m_share = createAction(tr("Share with Azure tools"), QStringLiteral("emblem-shared"),
                           QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S),
                           QStringLiteral("shareWithAzureToolsAction"));
    m_export = createAction(tr("Export…"), QStringLiteral("document-save-as"),
                            QKeySequence(Qt::CTRL | Qt::Key_E), QStringLiteral("exportAction"));
    m_import = createAction(tr("Import…"), QStringLiteral("document-open"), QKeySequence::Open,
                            QStringLiteral("importAction"));
    m_remove = createAction(tr("Remove…"), QStringLiteral("edit-delete"), QKeySequence::Delete,
                            QStringLiteral("removeAction"));
    m_settingsAction = createAction(tr("Settings…"), QStringLiteral("preferences-system"),
                                    QKeySequence(Qt::CTRL | Qt::Key_Comma), QStringLiteral("settingsAction"));
    m_serveLocal = createAction(tr("Serve to local tools"), QStringLiteral("network-server"),
                                QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L),
                                QStringLiteral("serveToLocalToolsAction"));
    m_serveLocal->setCheckable(true);
    m_serveLocal->setToolTip(
        tr("Serve the selected account's tokens to Azure SDKs on this machine through a managed-identity "
           "endpoint on 127.0.0.1 (a new secret at each start)\n%1")
            .arg(withShortcut(m_serveLocal->text(), m_serveLocal->shortcut())));
    m_copyEnvironment = createAction(tr("Copy shell environment"), QStringLiteral("utilities-terminal"),
                                     QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V),
                                     QStringLiteral("copyShellEnvironmentAction"));
    configureShareAction();

    connect(m_add, &QAction::triggered, this, &AccountsWindow::addAccountRequested);
    connect(m_signInAgain, &QAction::triggered, this, [this]() {
        if (!selectedAccountId().isEmpty())
            emit signInAgainRequested(selectedAccountId());
    });
    connect(m_copyDefault, &QAction::triggered, this, &AccountsWindow::copyDefaultToken);
    connect(m_copyChoose, &QAction::triggered, this, [this]() { popupBelow(m_copyMenu, m_copyButton); });
    connect(m_inspect, &QAction::triggered, this, [this]() { popupBelow(m_inspectMenu, m_inspectButton); });
    connect(m_setDefault, &QAction::triggered, this, &AccountsWindow::setDefaultSelected);
    connect(m_share, &QAction::triggered, this, &AccountsWindow::shareSelected);
    connect(m_export, &QAction::triggered, this, &AccountsWindow::exportSelected);
    connect(m_import, &QAction::triggered, this, &AccountsWindow::importRecords);
    connect(m_remove, &QAction::triggered, this, &AccountsWindow::confirmRemoval);
    connect(m_settingsAction, &QAction::triggered, this, &AccountsWindow::settingsRequested);
    connect(m_serveLocal, &QAction::triggered, this, [this](bool serve) {
        if (!selectedAccountId().isEmpty())
            emit serveToLocalToolsRequested(selectedAccountId(), serve);
    });
    connect(m_copyEnvironment, &QAction::triggered, this, [this]() {
        if (!selectedAccountId().isEmpty())
            emit copyShellEnvironmentRequested(selectedAccountId());
    });
}

void AccountsWindow::setServedAccounts(const QStringList &accountIds)
{
    m_servedAccounts = accountIds;
    updateActions();
}

QToolBar *AccountsWindow::createToolbar()
{
    auto *toolbar = addToolBar(tr("Accounts"));
    toolbar->setObjectName(QStringLiteral("accountsToolbar"));
    toolbar->setMovable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->addAction(m_add);
    toolbar->addAction(m_signInAgain);
    addTokenButtons(toolbar);
    toolbar->addAction(m_setDefault);
    toolbar->addAction(m_share);
    if (QWidget *shareButton = toolbar->widgetForAction(m_share)) {
        shareButton->setObjectName(QStringLiteral("shareWithAzureToolsButton"));
        shareButton->setAccessibleName(tr("Share with Azure tools"));
        shareButton->setAccessibleDescription(
            tr("Copy the selected account's sign-in into azure.identity's shared token cache, or remove it "
               "from there."));
    }
    toolbar->addSeparator();
    toolbar->addAction(m_export);
    toolbar->addAction(m_import);
    toolbar->addSeparator();
    toolbar->addAction(m_remove);
    auto *spacer = new QWidget(this);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    toolbar->addWidget(spacer);
    toolbar->addAction(m_settingsAction);
    // The less frequent ones as icons (their tooltips and accessible names say what they are), so that
    // every button fits the window's width.
    for (QAction *secondary : {m_export, m_import, m_settingsAction}) {
        if (auto *button = qobject_cast<QToolButton *>(toolbar->widgetForAction(secondary)))
            button->setToolButtonStyle(Qt::ToolButtonIconOnly);
    }
    return toolbar;
}

void AccountsWindow::addTokenButtons(QToolBar *toolbar)
{
    m_copyMenu = new QMenu(tr("Copy token"), this);
    m_copyMenu->setObjectName(QStringLiteral("copyTokenMenu"));
    m_copyMenu->setIcon(actionIcon(QStringLiteral("edit-copy")));
    m_copyButton = new QToolButton(this);
    m_copyButton->setObjectName(QStringLiteral("copyTokenButton"));
    m_copyButton->setText(tr("Copy token"));
    m_copyButton->setIcon(m_copyMenu->icon());
    m_copyButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_copyButton->setToolTip(
        withShortcut(tr("Copy a token for the selected account"), m_copyChoose->shortcut()) +
        QLatin1Char('\n') + withShortcut(m_copyDefault->text(), m_copyDefault->shortcut()));
    m_copyButton->setMenu(m_copyMenu);
    m_copyButton->setPopupMode(QToolButton::InstantPopup);
    toolbar->addWidget(m_copyButton);
    m_inspectMenu = new QMenu(tr("Inspect token"), this);
    m_inspectMenu->setObjectName(QStringLiteral("inspectTokenMenu"));
    m_inspectMenu->setIcon(actionIcon(QStringLiteral("edit-find")));
    m_inspectButton = new QToolButton(this);
    m_inspectButton->setObjectName(QStringLiteral("inspectTokenButton"));
    m_inspectButton->setText(tr("Inspect token"));
    m_inspectButton->setIcon(m_inspectMenu->icon());
    m_inspectButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_inspectButton->setToolTip(withShortcut(tr("Decode a token's claims"), m_inspect->shortcut()));
    m_inspectButton->setMenu(m_inspectMenu);
    m_inspectButton->setPopupMode(QToolButton::InstantPopup);
    toolbar->addWidget(m_inspectButton);
    connect(m_copyMenu, &QMenu::aboutToShow, this, [this]() { fillScopeMenu(m_copyMenu, false); });
    connect(m_inspectMenu, &QMenu::aboutToShow, this, [this]() { fillScopeMenu(m_inspectMenu, true); });
}

void AccountsWindow::configureShareAction()
{
    m_share->setCheckable(true);
    m_share->setProperty(
        "azidDescription",
        tr("Also keep the selected account's sign-in in azure.identity's shared token cache, "
           "where SharedTokenCacheCredential, DefaultAzureCredential and other Microsoft tools "
           "find it; updated after each sign-in and token refresh. Turn off to remove it from "
           "there."));
}

void AccountsWindow::makeToolbarFocusable(QToolBar *toolbar)
{
    // Tab reaches every button, as in KeePassXC: the filter, the table, then the toolbar, left to right.
    QWidget *previous = m_view;
    for (QAction *action : toolbar->actions()) {
        QWidget *button = toolbar->widgetForAction(action);
        if (!qobject_cast<QToolButton *>(button))
            continue;
        button->setFocusPolicy(Qt::TabFocus);
        if (button->accessibleName().isEmpty())
            button->setAccessibleName(qobject_cast<QToolButton *>(button)->text().remove(QChar(0x2026)));
        setTabOrder(previous, button);
        previous = button;
    }
}

void AccountsWindow::createContextMenu()
{
    m_contextMenu = new QMenu(this);
    m_contextMenu->setObjectName(QStringLiteral("accountContextMenu"));
    m_contextMenu->addAction(m_signInAgain);
    m_contextMenu->addAction(m_copyDefault);
    m_contextMenu->addMenu(m_copyMenu);
    m_contextMenu->addMenu(m_inspectMenu);
    m_contextMenu->addSeparator();
    m_contextMenu->addAction(m_setDefault);
    m_contextMenu->addAction(m_share);
    m_contextMenu->addAction(m_serveLocal);
    m_contextMenu->addAction(m_copyEnvironment);
    m_contextMenu->addAction(m_export);
    m_contextMenu->addSeparator();
    m_contextMenu->addAction(m_remove);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, &AccountsWindow::showContextMenuAt);
}

void AccountsWindow::createShortcuts()
{
    // The Menu key and Shift+F10 open the rows' context menu, as on every desktop.
    for (const QKeySequence &keys : {QKeySequence(Qt::Key_Menu), QKeySequence(Qt::SHIFT | Qt::Key_F10)}) {
        auto *shortcut = new QShortcut(keys, m_view, nullptr, nullptr, Qt::WidgetWithChildrenShortcut);
        connect(shortcut, &QShortcut::activated, this, &AccountsWindow::showContextMenuForCurrentRow);
    }
    auto *find = new QShortcut(QKeySequence::Find, this);
    connect(find, &QShortcut::activated, this, [this]() {
        m_filterEdit->setFocus(Qt::ShortcutFocusReason);
        m_filterEdit->selectAll();
    });
    auto *close = new QShortcut(QKeySequence::Close, this);
    connect(close, &QShortcut::activated, this, &QWidget::close);
    m_filterEdit->setToolTip(withShortcut(tr("Filter the accounts"), QKeySequence::Find));
    //: Said to screen readers about the table: how to act on a row from the keyboard
    m_view->setAccessibleDescription(
        tr("Enter copies a token for Azure Resource Manager, or signs in again when "
           "the account needs it. The Menu key or Shift+F10 opens the row's actions."));
}

void AccountsWindow::popupBelow(QMenu *menu, QWidget *button)
{
    if (!button->isEnabled())
        return;
    const QPoint below = button->isVisible() ? button->mapToGlobal(QPoint(0, button->height()))
                                             : m_view->viewport()->mapToGlobal(QPoint(0, 0));
    menu->popup(below);
}

void AccountsWindow::showContextMenuAt(const QPoint &viewportPosition)
{
    const QModelIndex index = m_view->indexAt(viewportPosition);
    if (index.isValid() && !m_view->selectionModel()->isRowSelected(index.row(), QModelIndex()))
        m_view->selectRow(index.row());
    if (selectedAccountIds().isEmpty())
        return;
    m_contextMenu->popup(m_view->viewport()->mapToGlobal(viewportPosition));
}

void AccountsWindow::showContextMenuForCurrentRow()
{
    QModelIndex current = m_view->currentIndex();
    if (!current.isValid() && m_view->model()->rowCount() > 0)
        current = m_view->model()->index(0, 0);
    if (!current.isValid())
        return;
    const QRect cell = m_view->visualRect(current.siblingAtColumn(AccountsModel::UserColumn));
    showContextMenuAt(cell.isValid() ? cell.center() : QPoint(0, 0));
}

void AccountsWindow::addPanel(QWidget *panel)
{
    auto *layout = qobject_cast<QVBoxLayout *>(centralWidget()->layout());
    layout->insertWidget(layout->count() - 1, panel);
}

QWidget *AccountsWindow::createCentralWidget()
{
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->addWidget(createKeychainBanner(central));
    layout->addWidget(createFilter(central));
    layout->addWidget(createAccountsView(central), 1);
    m_empty = new QLabel(tr("No accounts yet. Add one with \"Add account…\" (%1): sign in with the system "
                            "browser, a device code or a user name and password.")
                             .arg(QKeySequence(QKeySequence::New).toString(QKeySequence::NativeText)),
                         central);
    m_empty->setObjectName(QStringLiteral("emptyLabel"));
    m_empty->setWordWrap(true);
    m_empty->setAlignment(Qt::AlignCenter);
    layout->addWidget(m_empty);
    layout->addWidget(createStatusLine(central));
    setTabOrder(m_filterEdit, m_view);
    return central;
}

QWidget *AccountsWindow::createStatusLine(QWidget *parent)
{
    // Not QStatusBar: its messages are one line, cut at the window's edge. This one wraps.
    auto *line = new QWidget(parent);
    auto *rows = new QVBoxLayout(line);
    rows->setContentsMargins(0, 0, 0, 0);
    m_statusText = new QLabel(line);
    m_statusText->setObjectName(QStringLiteral("statusText"));
    m_statusText->setTextFormat(Qt::PlainText);
    m_statusText->setWordWrap(true);
    m_statusText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    rows->addWidget(m_statusText);
    m_clipboardCountdown = new QLabel(line);
    m_clipboardCountdown->setObjectName(QStringLiteral("clipboardCountdown"));
    m_clipboardCountdown->setTextFormat(Qt::PlainText);
    m_clipboardCountdown->hide();
    rows->addWidget(m_clipboardCountdown);
    m_statusTimer = new QTimer(this);
    m_statusTimer->setSingleShot(true);
    m_statusTimer->setInterval(15000);
    connect(m_statusTimer, &QTimer::timeout, this, [this]() {
        m_statusText->clear();
        fitStatusText();
    });
    return line;
}

QLineEdit *AccountsWindow::createFilter(QWidget *parent)
{
    // With many accounts: the rows whose user, tenant, authority (the cloud) or any other column
    // contains what is typed, as it is typed.
    m_filter = new QSortFilterProxyModel(this);
    m_filter->setSourceModel(m_model);
    m_filter->setFilterKeyColumn(-1);
    m_filter->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_filterEdit = new QLineEdit(parent);
    m_filterEdit->setObjectName(QStringLiteral("accountsFilter"));
    m_filterEdit->setAccessibleName(tr("Filter accounts"));
    m_filterEdit->setPlaceholderText(tr("Filter by user, tenant or cloud…"));
    m_filterEdit->setClearButtonEnabled(true);
    connect(m_filterEdit, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_filter->setFilterFixedString(text.trimmed());
        if (selectedAccountId().isEmpty() && m_filter->rowCount() > 0)
            m_view->selectRow(0);
        updateActions();
    });
    return m_filterEdit;
}

int AccountsWindow::modelRow(const QModelIndex &viewIndex) const
{
    return m_filter->mapToSource(viewIndex).row();
}

QTableView *AccountsWindow::createAccountsView(QWidget *parent)
{
    m_view = new QTableView(parent);
    m_view->setObjectName(QStringLiteral("accountsView"));
    m_view->setAccessibleName(tr("Accounts"));
    m_view->setModel(m_filter);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    // Tab leaves the table for the toolbar instead of walking its cells.
    m_view->setTabKeyNavigation(false);
    m_view->verticalHeader()->hide();
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    // Ids are long: their middle goes (the tooltip has them whole).
    m_view->setTextElideMode(Qt::ElideMiddle);
    QHeaderView *header = m_view->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(true); // Tokens
    header->setSectionsMovable(false);
    m_fitColumnsTimer = new QTimer(this);
    m_fitColumnsTimer->setSingleShot(true);
    m_fitColumnsTimer->setInterval(0);
    connect(m_fitColumnsTimer, &QTimer::timeout, this, &AccountsWindow::fitColumnsToContents);
    connect(header, &QHeaderView::sectionResized, this,
            [this](int column, int, int) { onSectionResized(column); });
    return m_view;
}

void AccountsWindow::restoreColumns()
{
    const QByteArray state = m_settings ? m_settings->accountsColumns() : QByteArray();
    if (!state.isEmpty()) {
        const QScopedValueRollback<bool> sizing(m_sizingColumns, true);
        m_columnsFromUser = m_view->horizontalHeader()->restoreState(state);
    }
    fitColumnsToContents();
}

void AccountsWindow::scheduleFitColumns()
{
    if (!m_columnsFromUser)
        m_fitColumnsTimer->start();
}

void AccountsWindow::fitColumnsToContents()
{
    if (m_columnsFromUser)
        return;
    const QScopedValueRollback<bool> sizing(m_sizingColumns, true);
    // An id is shown up to here, its middle elided (the tooltip has it whole).
    const int idWidth = m_view->fontMetrics().horizontalAdvance(QStringLiteral("72f988bf-86f1-41af")) + 12;
    for (int column = 0; column < AccountsModel::TokensColumn; ++column) {
        m_view->resizeColumnToContents(column);
        if (column == AccountsModel::TenantColumn || column == AccountsModel::ClientIdColumn)
            m_view->setColumnWidth(column, std::min(m_view->columnWidth(column), idWidth));
    }
}

void AccountsWindow::onSectionResized(int column)
{
    // The last column stretches with the window: only the others are the person's choice.
    if (m_sizingColumns || column == AccountsModel::TokensColumn || !m_settings)
        return;
    m_columnsFromUser = true;
    m_settings->setAccountsColumns(m_view->horizontalHeader()->saveState());
}

void AccountsWindow::connectModel()
{
    // Enter and double click.
    connect(m_view, &QTableView::activated, this, &AccountsWindow::activateRow);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &AccountsWindow::updateActions);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &AccountsWindow::scheduleFitColumns);
    connect(m_model, &QAbstractItemModel::modelReset, this, &AccountsWindow::scheduleFitColumns);
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &topLeft) {
        if (topLeft.column() < AccountsModel::TokensColumn)
            scheduleFitColumns();
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &AccountsWindow::updateEmptyState);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &AccountsWindow::updateEmptyState);
    connect(m_model, &QAbstractItemModel::modelReset, this, &AccountsWindow::updateEmptyState);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &AccountsWindow::updateActions);
    if (m_service) {
        connect(m_service, &model::AccountService::accountsChanged, this, [this]() {
            if (!m_service->loadError().isEmpty())
                showStatus(m_service->loadError());
            if (selectedAccountId().isEmpty() && m_filter->rowCount() > 0)
                m_view->selectRow(0);
        });
    }
}

QWidget *AccountsWindow::createKeychainBanner(QWidget *parent)
{
    // Like a locked database in KeePassXC: what is wrong and the one thing to do, above the list.
    m_keychainBanner = new QFrame(parent);
    m_keychainBanner->setObjectName(QStringLiteral("keychainBanner"));
    m_keychainBanner->setFrameShape(QFrame::StyledPanel);
    m_keychainBanner->setAutoFillBackground(true);
    QPalette palette = m_keychainBanner->palette();
    palette.setColor(QPalette::Window, palette.color(QPalette::ToolTipBase));
    palette.setColor(QPalette::WindowText, palette.color(QPalette::ToolTipText));
    m_keychainBanner->setPalette(palette);
    auto *row = new QHBoxLayout(m_keychainBanner);
    auto *icon = new QLabel(m_keychainBanner);
    icon->setPixmap(QIcon(QStringLiteral(":/azid/icons/azid-locked.svg")).pixmap(32, 32));
    row->addWidget(icon);
    m_keychainText = new QLabel(m_keychainBanner);
    m_keychainText->setObjectName(QStringLiteral("keychainBannerText"));
    m_keychainText->setTextFormat(Qt::PlainText);
    m_keychainText->setWordWrap(true);
    row->addWidget(m_keychainText, 1);
    m_unlockButton = new QPushButton(tr("Unlock…"), m_keychainBanner);
    m_unlockButton->setObjectName(QStringLiteral("unlockKeychainButton"));
    m_unlockButton->setToolTip(tr("Ask the keychain to unlock (it shows its own password prompt)"));
    row->addWidget(m_unlockButton);
    connect(m_unlockButton, &QPushButton::clicked, this, [this]() {
        if (m_service)
            m_service->unlockKeychain();
    });
    if (m_service) {
        connect(m_service, &model::AccountService::keychainStateChanged, this,
                &AccountsWindow::updateKeychainBanner);
        connect(m_service, &model::AccountService::accountsChanged, this,
                &AccountsWindow::updateKeychainBanner);
    }
    return m_keychainBanner;
}

void AccountsWindow::updateKeychainBanner()
{
    const bool open = !m_service || m_service->keychainState() == model::AccountService::KeychainState::Open;
    m_keychainBanner->setVisible(!open);
    if (open)
        return;
    QString text = m_service->keychainMessage();
    if (const int unsaved = m_service->unsavedSignIns(); unsaved > 0)
        text += QLatin1Char(' ') + tr("%n sign-in(s) will be saved once it opens.", nullptr, unsaved);
    m_keychainText->setText(text);
    m_unlockButton->setVisible(m_service->keychainState() == model::AccountService::KeychainState::Locked);
}

QString AccountsWindow::selectedAccountId() const
{
    const QStringList ids = selectedAccountIds();
    return ids.isEmpty() ? QString() : ids.first();
}

QStringList AccountsWindow::selectedAccountIds() const
{
    QStringList ids;
    if (!m_view->selectionModel())
        return ids;
    for (const QModelIndex &index : m_view->selectionModel()->selectedRows()) {
        if (const auto entry = m_model->entryAt(modelRow(index)))
            ids << entry->id();
    }
    return ids;
}

void AccountsWindow::selectAccount(const QString &accountId)
{
    const QModelIndex index = m_filter->mapFromSource(m_model->index(m_model->rowOf(accountId), 0));
    if (index.isValid())
        m_view->selectRow(index.row());
}

void AccountsWindow::showStatus(const QString &text)
{
    m_statusText->setText(text);
    m_statusText->setToolTip(text);
    fitStatusText();
    m_statusTimer->start();
}

void AccountsWindow::fitStatusText()
{
    // As tall as the wrapped text needs at the label's width, whatever the main window's layout allows.
    const int width = m_statusText->width() > 0 ? m_statusText->width() : centralWidget()->width();
    m_statusText->setMinimumHeight(m_statusText->text().isEmpty() ? 0 : m_statusText->heightForWidth(width));
}

void AccountsWindow::resizeEvent(QResizeEvent *event)
{
    QMainWindow::resizeEvent(event);
    QTimer::singleShot(0, this, &AccountsWindow::fitStatusText);
}

QString AccountsWindow::statusText() const
{
    return m_statusText->text();
}

void AccountsWindow::setClipboardCountdown(int seconds)
{
    m_clipboardCountdown->setVisible(seconds >= 0);
    if (seconds >= 0)
        m_clipboardCountdown->setText(tr("Token on the clipboard: cleared in %n s", nullptr, seconds));
}

void AccountsWindow::activateRow(const QModelIndex &index)
{
    const auto entry = m_model->entryAt(modelRow(index));
    if (!entry)
        return;
    if (entry->needsSignIn(m_service ? m_service->clock().now() : 0))
        emit signInAgainRequested(entry->id());
    else
        emit copyTokenRequested(
            entry->id(), model::resourceManagerScope(model::cloudOfAuthority(entry->record().authority)));
}

void AccountsWindow::copyDefaultToken()
{
    const QStringList ids = selectedAccountIds();
    if (ids.size() != 1 || !m_service)
        return;
    const auto entry = m_service->account(ids.first());
    if (entry)
        emit copyTokenRequested(
            entry->id(), model::resourceManagerScope(model::cloudOfAuthority(entry->record().authority)));
}

void AccountsWindow::updateEmptyState()
{
    const bool empty = m_model->rowCount() == 0;
    m_empty->setVisible(empty);
    updateActions();
}

void AccountsWindow::updateActions()
{
    const QStringList ids = selectedAccountIds();
    const bool one = ids.size() == 1;
    m_signInAgain->setEnabled(one);
    m_setDefault->setEnabled(one);
    m_copyButton->setEnabled(one);
    m_copyDefault->setEnabled(one);
    m_copyChoose->setEnabled(one);
    m_remove->setEnabled(!ids.isEmpty());
    m_export->setEnabled(!ids.isEmpty());
    const bool served = one && m_servedAccounts.contains(ids.first());
    m_serveLocal->setEnabled(one);
    m_serveLocal->setChecked(served);
    m_copyEnvironment->setEnabled(served);

    const auto entry = one && m_service ? m_service->account(ids.first()) : std::nullopt;
    const bool available = m_service && m_service->canShareWithAzureTools();
    m_share->setEnabled(entry.has_value() && available);
    m_share->setChecked(entry && entry->stored.metadata.shareWithAzureTools);
    const QString why = !m_service || available ? m_share->property("azidDescription").toString()
                                                : m_service->shareWithAzureToolsUnavailableReason();
    m_share->setToolTip(why + QLatin1Char('\n') + withShortcut(m_share->text(), m_share->shortcut()));
}

void AccountsWindow::shareSelected(bool share)
{
    const QString id = selectedAccountId();
    const auto entry = m_service ? m_service->account(id) : std::nullopt;
    if (!entry)
        return;
    const QString user = entry->record().username;
    showStatus(share ? tr("Sharing %1 with the Azure tools…").arg(user)
                     : tr("Removing %1 from azure.identity's shared token cache…").arg(user));
    // Failures come with what to do from AccountService::sharedCacheFailed (the desktop controller shows
    // them); only success is said here.
    model::whenReady(
        m_service->setShareWithAzureTools(id, share), this, [this, user, share](const VoidResult &done) {
            if (!done.ok())
                return;
            showStatus(
                share ? tr("%1 is in azure.identity's shared token cache: SharedTokenCacheCredential and "
                           "other Microsoft tools can use it.")
                            .arg(user)
                      : tr("%1 was removed from azure.identity's shared token cache.").arg(user));
        });
}

void AccountsWindow::fillScopeMenu(QMenu *menu, bool inspect)
{
    menu->clear();
    const QString id = selectedAccountId();
    const auto entry = m_service ? m_service->account(id) : std::nullopt;
    if (entry) {
        auto emitFor = [this, inspect, id](const QString &scope) {
            if (inspect)
                emit inspectTokenRequested(id, scope);
            else
                emit copyTokenRequested(id, scope);
        };
        for (const model::ScopePreset &preset :
             model::scopePresets(model::cloudOfAuthority(entry->record().authority))) {
            connect(menu->addAction(preset.label), &QAction::triggered, this,
                    [emitFor, scope = preset.scope]() { emitFor(scope); });
        }
        const QStringList recent = m_settings ? m_settings->recentScopes() : QStringList();
        if (!recent.isEmpty())
            menu->addSeparator();
        for (const QString &scope : recent)
            connect(menu->addAction(scope), &QAction::triggered, this,
                    [emitFor, scope]() { emitFor(scope); });
        if (!inspect) {
            connect(menu->addAction(tr("Other scope…")), &QAction::triggered, this,
                    [this, id]() { emit otherScopeRequested(id); });
        }
    }
    if (inspect) {
        if (entry)
            menu->addSeparator();
        connect(menu->addAction(tr("Paste a token…")), &QAction::triggered, this,
                [this]() { emit inspectTokenRequested(QString(), QString()); });
    }
}

QMessageBox *AccountsWindow::question(QMessageBox::Icon icon, const QString &objectName, const QString &title,
                                      const QString &text, const QString &details)
{
    auto *box = new QMessageBox(icon, title, text, QMessageBox::NoButton, this);
    box->setObjectName(objectName);
    // User names and authorities come from outside (an import file): never rich text.
    box->setTextFormat(Qt::PlainText);
    box->setInformativeText(details);
    box->setAttribute(Qt::WA_DeleteOnClose);
    keepTitleWhole(box);
    return box;
}

void AccountsWindow::confirmRemoval()
{
    const QStringList ids = selectedAccountIds();
    if (ids.isEmpty() || !m_service)
        return;
    QStringList names;
    for (const QString &id : ids) {
        if (const auto entry = m_service->account(id))
            names << entry->record().username;
    }
    const int count = static_cast<int>(ids.size());
    //: The number of accounts to remove selects the form
    auto *box = question(QMessageBox::Warning, QStringLiteral("removeConfirmation"),
                         tr("Remove account — Azid", nullptr, count),
                         tr("Remove %1?").arg(names.join(QStringLiteral(", "))),
                         //: The number of accounts to remove selects the form
                         tr("Its cached tokens and its keychain items are deleted, for Azid and "
                            "azid-cli alike. Signing in again brings it back.",
                            nullptr, count));
    QPushButton *removeButton = box->addButton(tr("Remove"), QMessageBox::DestructiveRole);
    removeButton->setObjectName(QStringLiteral("confirmRemoveButton"));
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(QMessageBox::Cancel);
    connect(
        box, &QMessageBox::buttonClicked, this, [this, ids, names, removeButton](QAbstractButton *clicked) {
            if (clicked != removeButton || !m_service)
                return;
            showStatus(tr("Removing %1…").arg(names.join(QStringLiteral(", "))));
            for (qsizetype i = 0; i < ids.size(); ++i) {
                const QString name = names.value(i, ids[i]);
                model::whenReady(m_service->remove(ids[i]), this, [this, name](const VoidResult &removed) {
                    showStatus(removed.ok()
                                   ? tr("Removed %1.").arg(name)
                                   : tr("Could not remove %1: %2").arg(name, removed.error().message));
                });
            }
        });
    box->open();
}

void AccountsWindow::setDefaultSelected()
{
    const QString id = selectedAccountId();
    if (id.isEmpty() || !m_service)
        return;
    model::whenReady(m_service->setDefault(id), this, [this](const VoidResult &done) {
        showStatus(done.ok() ? tr("Default account changed: azid-cli uses it without --account.")
                             : tr("Could not change the default account: %1").arg(done.error().message));
    });
}

VoidResult AccountsWindow::exportTo(const QString &path)
{
    QList<AuthenticationRecord> records;
    for (const QString &id : selectedAccountIds()) {
        if (const auto entry = m_service ? m_service->account(id) : std::nullopt)
            records << entry->record();
    }
    if (VoidResult written = model::writeRecordsFile(path, records); !written.ok()) {
        showStatus(written.error().message);
        return written;
    }
    showStatus(
        tr("Exported %n account record(s) to %1 (no tokens).", nullptr, static_cast<int>(records.size()))
            .arg(path));
    return Done{};
}

void AccountsWindow::exportSelected()
{
    if (selectedAccountIds().isEmpty())
        return;
    //: The file dialog's filters: keep the patterns in parentheses as they are
    const QString filters = tr("Account records (*.json);;All files (*)");
    auto *dialog =
        new QFileDialog(this, tr("Export account records"), QStringLiteral("azid-accounts.json"), filters);
    dialog->setObjectName(QStringLiteral("exportDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(QStringLiteral("json"));
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        (void)exportTo(path); // the status line shows how it went
    });
    dialog->open();
}

void AccountsWindow::importFrom(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        showStatus(tr("Cannot read %1: %2.").arg(path, file.errorString()));
        return;
    }
    if (!m_service)
        return;
    const Result<QList<AuthenticationRecord>> records = model::parseRecords(file.readAll());
    if (!records.ok()) {
        showStatus(tr("Could not import: %1").arg(model::errorSummary(records.error())));
        return;
    }
    QList<StoredAccount> existing;
    for (const model::AccountEntry &entry : m_service->accounts())
        existing << entry.stored;
    auto pending = std::make_shared<PendingImport>();
    pending->plan = model::planImport(records.value(), existing);
    askToReplace(pending);
}

namespace {

struct Choice
{
    QString text;
    QString objectName;
};

// A question's two answers; the cautious one (`no`) is the default. Returns the `yes` button.
QPushButton *addChoices(QMessageBox *box, const Choice &yes, const Choice &no)
{
    QPushButton *accept = box->addButton(yes.text, QMessageBox::AcceptRole);
    accept->setObjectName(yes.objectName);
    QPushButton *reject = box->addButton(no.text, QMessageBox::RejectRole);
    reject->setObjectName(no.objectName);
    box->setDefaultButton(reject);
    return accept;
}

QString userNames(const QList<AuthenticationRecord> &records)
{
    QStringList names;
    for (const AuthenticationRecord &record : records)
        names << record.username;
    return names.join(QStringLiteral(", "));
}

} // namespace

void AccountsWindow::askToReplace(const std::shared_ptr<PendingImport> &pending)
{
    if (pending->plan.replacing.isEmpty()) {
        askToTrustAuthorities(pending);
        return;
    }
    const int count = static_cast<int>(pending->plan.replacing.size());
    QMessageBox *box = question(
        QMessageBox::Question, QStringLiteral("replaceAccountsQuestion"),
        tr("Account already present — Azid", nullptr, count),
        tr("Already present: %1. Replace with the imported record?", nullptr, count)
            .arg(userNames(pending->plan.replacing)),
        tr("The file has another record for this account (its user name, tenant or authority differs). "
           "Replacing keeps how it signs in and whether it is the default; its tokens stay until the next "
           "sign-in. Keep leaves it as it is.",
           nullptr, count));
    QPushButton *replace = addChoices(box, {tr("Replace"), QStringLiteral("replaceButton")},
                                      {tr("Keep"), QStringLiteral("keepButton")});
    connect(box, &QMessageBox::finished, this, [this, pending, box, replace]() {
        if (box->clickedButton() != replace) {
            pending->plan.present << pending->plan.replacing;
            pending->plan.replacing.clear();
        }
        askToTrustAuthorities(pending);
    });
    box->open();
}

void AccountsWindow::askToTrustAuthorities(const std::shared_ptr<PendingImport> &pending)
{
    // Only the records that are going in; an authority already confirmed stays so.
    QList<StoredAccount> none;
    const model::ImportPlan going = model::planImport(pending->plan.added + pending->plan.replacing, none);
    if (going.customAuthorities.isEmpty()) {
        storeImport(pending);
        return;
    }
    const QString authorities = going.customAuthorities.join(QStringLiteral(", "));
    const int count = static_cast<int>(going.customAuthorities.size());
    QMessageBox *box = question(
        QMessageBox::Warning, QStringLiteral("trustAuthorityQuestion"),
        tr("Trust this authority? — Azid", nullptr, count),
        tr("%1 is not one of Microsoft's clouds. Do you trust it to sign these accounts in?", nullptr, count)
            .arg(authorities),
        tr("Trust it only if you know it: your organisation's or a test authority. Trusted, Azid talks to it "
           "directly. Not trusted, Microsoft's instance discovery checks it first on every sign-in, and a "
           "sign-in fails when Microsoft does not know it. The sign-in dialog can change this later.",
           nullptr, count));
    QPushButton *trust = addChoices(box, {tr("Trust"), QStringLiteral("trustAuthorityButton")},
                                    {tr("Keep checking"), QStringLiteral("keepCheckingButton")});
    connect(box, &QMessageBox::finished, this, [this, pending, box, trust, going]() {
        if (box->clickedButton() == trust)
            pending->confirmedAuthorities = going.customAuthorities;
        storeImport(pending);
    });
    box->open();
}

void AccountsWindow::storeImport(const std::shared_ptr<PendingImport> &pending)
{
    const model::ImportPlan &plan = pending->plan;
    QStringList said;
    if (!plan.present.isEmpty())
        //: %1 lists user names
        said << tr("Already present: %1.").arg(userNames(plan.present));
    const QList<AuthenticationRecord> going = plan.added + plan.replacing;
    if (going.isEmpty() || !m_service) {
        showStatus(said.isEmpty() ? tr("The file holds no account records.") : said.join(QLatin1Char(' ')));
        return;
    }
    const int added = static_cast<int>(plan.added.size());
    const QString replaced = userNames(plan.replacing);
    model::whenReady(
        m_service->importRecords(model::serializeRecords(going, model::RecordsShape::Array),
                                 pending->confirmedAuthorities),
        this, [this, said, added, replaced](const Result<int> &imported) {
            if (!imported.ok()) {
                showStatus(tr("Could not import: %1").arg(model::errorSummary(imported.error())));
                return;
            }
            QStringList text;
            if (added > 0)
                text << tr("Imported %n account record(s). Sign in to get their tokens.", nullptr, added);
            if (!replaced.isEmpty())
                text << tr("Replaced the record of %1.").arg(replaced);
            showStatus((text + said).join(QLatin1Char(' ')));
        });
}

void AccountsWindow::importRecords()
{
    //: The file dialog's filters: keep the patterns in parentheses as they are
    const QString filters = tr("Account records (*.json);;All files (*)");
    auto *dialog = new QFileDialog(this, tr("Import account records"), QString(), filters);
    dialog->setObjectName(QStringLiteral("importDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) { importFrom(path); });
    dialog->open();
}

void AccountsWindow::closeEvent(QCloseEvent *event)
{
    if (m_hideOnClose) {
        hide();
        event->ignore();
        emit closedToTray();
        return;
    }
    QMainWindow::closeEvent(event);
}

} // namespace azid::ui
