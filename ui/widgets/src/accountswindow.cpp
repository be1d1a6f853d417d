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
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace azid::ui {

AccountsWindow::AccountsWindow(model::AccountService *service, AccountsModel *model,
                               model::AppSettings *settings, QWidget *parent)
    : QMainWindow(parent), m_service(service), m_model(model), m_settings(settings)
{
    initResources();
    setObjectName(QStringLiteral("accountsWindow"));
    setWindowTitle(tr("Accounts — Azid"));
    setWindowIcon(QIcon(QStringLiteral(":/azid/icons/azid.svg")));
    resize(1240, 420);

    createToolbar();
    setCentralWidget(createCentralWidget());
    statusBar()->setObjectName(QStringLiteral("statusBar"));
    connectModel();
    updateEmptyState();
    updateActions();
    updateKeychainBanner();
    if (m_model->rowCount() > 0)
        m_view->selectRow(0);
}

void AccountsWindow::createToolbar()
{
    auto *toolbar = addToolBar(tr("Accounts"));
    toolbar->setObjectName(QStringLiteral("accountsToolbar"));
    toolbar->setMovable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto *add = toolbar->addAction(tr("Add account…"));
    add->setObjectName(QStringLiteral("addAccountAction"));
    m_signInAgain = toolbar->addAction(tr("Sign in again…"));
    m_signInAgain->setObjectName(QStringLiteral("signInAgainAction"));
    addTokenButtons(toolbar);
    m_setDefault = toolbar->addAction(tr("Set as default"));
    m_setDefault->setObjectName(QStringLiteral("setDefaultAction"));
    addShareAction(toolbar);
    toolbar->addSeparator();
    m_export = toolbar->addAction(tr("Export…"));
    m_export->setObjectName(QStringLiteral("exportAction"));
    auto *import = toolbar->addAction(tr("Import…"));
    import->setObjectName(QStringLiteral("importAction"));
    toolbar->addSeparator();
    m_remove = toolbar->addAction(tr("Remove…"));
    m_remove->setObjectName(QStringLiteral("removeAction"));
    auto *spacer = new QWidget(this);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    toolbar->addWidget(spacer);
    auto *settingsAction = toolbar->addAction(tr("Settings…"));
    settingsAction->setObjectName(QStringLiteral("settingsAction"));

    connect(add, &QAction::triggered, this, &AccountsWindow::addAccountRequested);
    connect(m_signInAgain, &QAction::triggered, this, [this]() {
        if (!selectedAccountId().isEmpty())
            emit signInAgainRequested(selectedAccountId());
    });
    connect(m_setDefault, &QAction::triggered, this, &AccountsWindow::setDefaultSelected);
    connect(m_share, &QAction::triggered, this, &AccountsWindow::shareSelected);
    connect(m_export, &QAction::triggered, this, &AccountsWindow::exportSelected);
    connect(import, &QAction::triggered, this, &AccountsWindow::importRecords);
    connect(m_remove, &QAction::triggered, this, &AccountsWindow::confirmRemoval);
    connect(settingsAction, &QAction::triggered, this, &AccountsWindow::settingsRequested);
}

void AccountsWindow::addTokenButtons(QToolBar *toolbar)
{
    m_copyMenu = new QMenu(this);
    m_copyButton = new QToolButton(this);
    m_copyButton->setObjectName(QStringLiteral("copyTokenButton"));
    m_copyButton->setText(tr("Copy token"));
    m_copyButton->setMenu(m_copyMenu);
    m_copyButton->setPopupMode(QToolButton::InstantPopup);
    toolbar->addWidget(m_copyButton);
    m_inspectMenu = new QMenu(this);
    m_inspectButton = new QToolButton(this);
    m_inspectButton->setObjectName(QStringLiteral("inspectTokenButton"));
    m_inspectButton->setText(tr("Inspect token"));
    m_inspectButton->setMenu(m_inspectMenu);
    m_inspectButton->setPopupMode(QToolButton::InstantPopup);
    toolbar->addWidget(m_inspectButton);
    connect(m_copyMenu, &QMenu::aboutToShow, this, [this]() { fillScopeMenu(m_copyMenu, false); });
    connect(m_inspectMenu, &QMenu::aboutToShow, this, [this]() { fillScopeMenu(m_inspectMenu, true); });
}

void AccountsWindow::addShareAction(QToolBar *toolbar)
{
    m_share = toolbar->addAction(tr("Share with Azure tools"));
    m_share->setObjectName(QStringLiteral("shareWithAzureToolsAction"));
    m_share->setCheckable(true);
    if (QWidget *shareButton = toolbar->widgetForAction(m_share)) {
        shareButton->setObjectName(QStringLiteral("shareWithAzureToolsButton"));
        shareButton->setAccessibleName(tr("Share with Azure tools"));
        shareButton->setAccessibleDescription(
            tr("Copy the selected account's sign-in into azure.identity's shared token cache, or remove it "
               "from there."));
    }
}

QWidget *AccountsWindow::createCentralWidget()
{
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->addWidget(createKeychainBanner(central));
    layout->addWidget(createFilter(central));
    layout->addWidget(createAccountsView(central), 1);
    m_empty = new QLabel(tr("No accounts yet. Add one with \"Add account…\": sign in with the system "
                            "browser, a device code or a user name and password."),
                         central);
    m_empty->setObjectName(QStringLiteral("emptyLabel"));
    m_empty->setWordWrap(true);
    m_empty->setAlignment(Qt::AlignCenter);
    layout->addWidget(m_empty);
    return central;
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
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    // Ids are long: their middle goes (the tooltip has them whole); the rest fits its contents.
    m_view->setTextElideMode(Qt::ElideMiddle);
    QHeaderView *header = m_view->horizontalHeader();
    for (int column = 0; column < AccountsModel::ColumnCount; ++column)
        header->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    const int idWidth = m_view->fontMetrics().horizontalAdvance(QStringLiteral("72f988bf-86f1-41af")) + 12;
    for (int column : {int(AccountsModel::TenantColumn), int(AccountsModel::ClientIdColumn)}) {
        header->setSectionResizeMode(column, QHeaderView::Interactive);
        m_view->setColumnWidth(column, idWidth);
    }
    header->setSectionResizeMode(AccountsModel::TokensColumn, QHeaderView::Stretch);
    return m_view;
}

void AccountsWindow::connectModel()
{
    connect(m_view, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        const auto entry = m_model->entryAt(modelRow(index));
        if (entry && entry->needsSignIn(m_service ? m_service->clock().now() : 0))
            emit signInAgainRequested(entry->id());
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &AccountsWindow::updateActions);
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
    statusBar()->showMessage(text, 15000);
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
    m_remove->setEnabled(!ids.isEmpty());
    m_export->setEnabled(!ids.isEmpty());

    const auto entry = one && m_service ? m_service->account(ids.first()) : std::nullopt;
    const bool available = m_service && m_service->canShareWithAzureTools();
    m_share->setEnabled(entry.has_value() && available);
    m_share->setChecked(entry && entry->stored.metadata.shareWithAzureTools);
    if (!m_service || available)
        m_share->setToolTip(
            tr("Also keep the selected account's sign-in in azure.identity's shared token cache, where "
               "SharedTokenCacheCredential, DefaultAzureCredential and other Microsoft tools find it; "
               "updated after each sign-in and token refresh. Turn off to remove it from there."));
    else
        m_share->setToolTip(m_service->shareWithAzureToolsUnavailableReason());
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
    const QString title = tr("Remove account — Azid", nullptr, count);
    auto *box =
        new QMessageBox(QMessageBox::Warning, title, tr("Remove %1?").arg(names.join(QStringLiteral(", "))),
                        QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("removeConfirmation"));
    //: The number of accounts to remove selects the form
    box->setInformativeText(tr("Its cached tokens and its keychain items are deleted, for Azid and "
                               "azid-cli alike. Signing in again brings it back.",
                               nullptr, count));
    QPushButton *removeButton = box->addButton(tr("Remove"), QMessageBox::DestructiveRole);
    removeButton->setObjectName(QStringLiteral("confirmRemoveButton"));
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this,
            [this, ids, names, removeButton](QAbstractButton *clicked) {
                if (clicked != removeButton || !m_service)
                    return;
                showStatus(tr("Removing %1…").arg(names.join(QStringLiteral(", "))));
                for (const QString &id : ids) {
                    model::whenReady(m_service->remove(id), this, [this](const VoidResult &removed) {
                        showStatus(removed.ok()
                                       ? tr("Removed.")
                                       : tr("Could not remove the account: %1").arg(removed.error().message));
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
    model::whenReady(m_service->importRecords(file.readAll()), this, [this](const Result<int> &imported) {
        showStatus(imported.ok() ? tr("Imported %n account record(s). Sign in to get their tokens.", nullptr,
                                      imported.value())
                                 : tr("Could not import: %1").arg(model::errorSummary(imported.error())));
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
        return;
    }
    QMainWindow::closeEvent(event);
}

} // namespace azid::ui
