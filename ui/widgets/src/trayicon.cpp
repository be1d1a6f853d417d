#include "azid/ui/trayicon.h"

#include "azid/model/cloud.h"
#include "resources.h"

#include <QActionGroup>
#include <QMap>
#include <QTimer>

namespace azid::ui {

TrayIcon::TrayIcon(model::AccountService *service, model::AppSettings *settings, QObject *parent)
    : QObject(parent), m_service(service), m_settings(settings), m_menu(std::make_unique<QMenu>())
{
    initResources();
    m_menu->setObjectName(QStringLiteral("trayMenu"));
    m_icon.setContextMenu(m_menu.get());
    connect(m_menu.get(), &QMenu::aboutToShow, this, [this]() {
        if (m_dirty)
            rebuildMenu();
    });
    connect(&m_icon, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
            emit accountsWindowRequested();
    });
    connect(&m_icon, &QSystemTrayIcon::messageClicked, this, &TrayIcon::messageClicked);
    if (m_service) {
        connect(m_service, &model::AccountService::accountsChanged, this, [this]() {
            markDirty();
            updateState();
        });
        connect(m_service, &model::AccountService::pendingRequestsChanged, this, &TrayIcon::updateState);
        connect(m_service, &model::AccountService::keychainStateChanged, this, [this]() {
            markDirty();
            updateState();
        });
    }
    if (m_settings)
        connect(m_settings, &model::AppSettings::changed, this, &TrayIcon::markDirty);
    updateState();
    rebuildMenu();
}

TrayIcon::~TrayIcon() = default;

bool TrayIcon::isSystemTrayAvailable()
{
    return QSystemTrayIcon::isSystemTrayAvailable();
}

void TrayIcon::show()
{
    m_icon.show();
}

void TrayIcon::hide()
{
    m_icon.hide();
}

bool TrayIcon::isVisible() const
{
    return m_icon.isVisible();
}

QIcon TrayIcon::iconFor(State state)
{
    initResources();
    switch (state) {
    case State::Attention:
        return QIcon(QStringLiteral(":/azid/icons/azid-attention.svg"));
    case State::Busy:
        return QIcon(QStringLiteral(":/azid/icons/azid-busy.svg"));
    case State::Locked:
        return QIcon(QStringLiteral(":/azid/icons/azid-locked.svg"));
    case State::Normal:
        break;
    }
    return QIcon(QStringLiteral(":/azid/icons/azid.svg"));
}

QString TrayIcon::accountTitle(const model::AccountEntry &entry, const QString &tenantName)
{
    const QString authority = entry.stored.metadata.authorityUrl.isEmpty()
                                  ? entry.record().authority
                                  : entry.stored.metadata.authorityUrl;
    const QString tenant = tenantName.isEmpty() ? entry.record().tenantId : tenantName;
    if (entry.stored.metadata.isDefault)
        //: The default account's tray menu entry: %1 is the user, %2 the tenant, %3 the cloud or authority
        return tr("%1 (%2, %3) — default")
            .arg(entry.record().username, tenant, model::authorityLabel(authority));
    //: A tray menu entry: %1 is the user, %2 the tenant, %3 the cloud or authority
    return tr("%1 (%2, %3)").arg(entry.record().username, tenant, model::authorityLabel(authority));
}

void TrayIcon::markDirty()
{
    if (m_dirty)
        return;
    m_dirty = true;
    // Later, not now: the change may come from one of the menu's own actions, still running.
    QTimer::singleShot(0, this, [this]() {
        if (m_dirty && !m_menu->isVisible())
            rebuildMenu();
    });
}

void TrayIcon::setTokenFetches(const QList<TokenFetch> &fetches)
{
    m_fetches = fetches;
    markDirty();
    updateState();
}

void TrayIcon::setAppIdentitiesMenu(QMenu *menu)
{
    m_appIdentities = menu;
    markDirty();
}

void TrayIcon::rebuildMenu()
{
    m_dirty = false;
    // clear() leaves the submenus alive: they are children of the menu, not owned by their actions.
    const QList<QMenu *> submenus = m_menu->findChildren<QMenu *>(QString(), Qt::FindDirectChildrenOnly);
    m_menu->clear();
    qDeleteAll(submenus);
    m_menu->setToolTipsVisible(true);
    addFetchActions();
    addClipboardAction();
    if (m_service && m_service->keychainState() == model::AccountService::KeychainState::Locked)
        addUnlockAction();
    addAccountMenus();
    m_menu->addSeparator();
    if (m_appIdentities)
        m_menu->addMenu(m_appIdentities);
    addFormatMenu();
    m_menu->addSeparator();
    connect(m_menu->addAction(tr("Add account…")), &QAction::triggered, this, &TrayIcon::addAccountRequested);
    connect(m_menu->addAction(tr("Accounts…")), &QAction::triggered, this,
            &TrayIcon::accountsWindowRequested);
    connect(m_menu->addAction(tr("Served to local tools…")), &QAction::triggered, this,
            &TrayIcon::localToolsWindowRequested);
    connect(m_menu->addAction(tr("Settings…")), &QAction::triggered, this, &TrayIcon::settingsRequested);
    m_menu->addSeparator();
    connect(m_menu->addAction(tr("Quit")), &QAction::triggered, this, &TrayIcon::quitRequested);
}

void TrayIcon::addFetchActions()
{
    for (const TokenFetch &fetch : std::as_const(m_fetches)) {
        QAction *cancel = m_menu->addAction(tr("Cancel fetching token for %1").arg(fetch.username));
        cancel->setObjectName(QStringLiteral("cancelFetchAction"));
        cancel->setToolTip(
            tr("Stop getting the %1 token for %2: nothing is copied.").arg(fetch.scopeLabel, fetch.username));
        connect(cancel, &QAction::triggered, this,
                [this, id = fetch.accountId]() { emit cancelFetchRequested(id); });
    }
    if (!m_fetches.isEmpty())
        m_menu->addSeparator();
}

QString TrayIcon::clipboardText() const
{
    //: The tray menu entry while a copied token waits to be cleared
    return tr("Clear the clipboard now (cleared in %n s)", nullptr, m_clearIn);
}

void TrayIcon::addClipboardAction()
{
    if (m_clearIn < 0)
        return;
    m_clearAction = m_menu->addAction(clipboardText());
    m_clearAction->setObjectName(QStringLiteral("clearClipboardAction"));
    m_clearAction->setToolTip(tr("The token copied last is still on the clipboard."));
    connect(m_clearAction, &QAction::triggered, this, &TrayIcon::clearClipboardRequested);
    m_menu->addSeparator();
}

void TrayIcon::setClipboardCountdown(int seconds)
{
    const bool shownBefore = m_clearIn >= 0;
    m_clearIn = seconds < 0 ? -1 : seconds;
    if (shownBefore != (m_clearIn >= 0))
        markDirty();
    else if (m_clearAction)
        m_clearAction->setText(clipboardText());
    m_icon.setToolTip(toolTip());
}

void TrayIcon::addUnlockAction()
{
    QAction *unlock = m_menu->addAction(iconFor(State::Locked), tr("Unlock the keychain…"));
    unlock->setObjectName(QStringLiteral("unlockKeychainAction"));
    unlock->setToolTip(m_service->keychainMessage());
    connect(unlock, &QAction::triggered, this, [this]() {
        if (m_service)
            m_service->unlockKeychain();
    });
    m_menu->addSeparator();
}

void TrayIcon::addAccountMenus()
{
    const QList<model::AccountEntry> accounts =
        m_service ? m_service->accounts() : QList<model::AccountEntry>();
    if (accounts.isEmpty()) {
        QAction *none = m_menu->addAction(m_service && !m_service->isLoaded() ? tr("Loading accounts…")
                                                                              : tr("No accounts yet"));
        none->setEnabled(false);
        return;
    }
    if (accounts.size() <= MaxAccountsInMenu) {
        for (const model::AccountEntry &entry : accounts)
            addAccountMenu(m_menu.get(), entry);
        return;
    }
    // Many accounts: the default and the recently used ones first, every account under its tenant in
    // "All accounts". Tenant submenus are filled when they open.
    const QStringList recent = m_settings ? m_settings->recentAccounts() : QStringList();
    for (const model::AccountEntry &entry : accounts) {
        if (entry.stored.metadata.isDefault)
            addAccountMenu(m_menu.get(), entry);
    }
    for (const QString &id : recent) {
        const auto entry = std::find_if(accounts.begin(), accounts.end(),
                                        [&id](const model::AccountEntry &e) { return e.id() == id; });
        if (entry != accounts.end() && !entry->stored.metadata.isDefault)
            addAccountMenu(m_menu.get(), *entry);
    }
    addTenantMenus(accounts);
}

void TrayIcon::addTenantMenus(const QList<model::AccountEntry> &accounts)
{
    QMenu *all = m_menu->addMenu(tr("All accounts (%n)", nullptr, static_cast<int>(accounts.size())));
    all->setObjectName(QStringLiteral("allAccountsMenu"));
    QMap<QString, QList<model::AccountEntry>> byTenant; // sorted by the tenant's name, then its id
    for (const model::AccountEntry &entry : accounts) {
        const QString tenantId = entry.record().tenantId;
        const QString name = m_settings ? m_settings->tenantName(tenantId) : QString();
        byTenant[(name.isEmpty() ? tenantId : name).toLower() + QLatin1Char('|') + tenantId] << entry;
    }
    for (auto it = byTenant.cbegin(); it != byTenant.cend(); ++it) {
        const QString tenantId = it.value().first().record().tenantId;
        const QString name = m_settings ? m_settings->tenantName(tenantId) : QString();
        QMenu *tenant = all->addMenu(tr("%1 (%n)", nullptr, static_cast<int>(it.value().size()))
                                         .arg(name.isEmpty() ? tenantId : name));
        tenant->setObjectName(QStringLiteral("tenantMenu"));
        tenant->setToolTipsVisible(true);
        const qint64 now = m_service ? m_service->clock().now() : 0;
        if (std::any_of(it.value().begin(), it.value().end(),
                        [now](const model::AccountEntry &e) { return e.needsSignIn(now); }))
            tenant->setIcon(iconFor(State::Attention));
        connect(tenant, &QMenu::aboutToShow, this, [this, tenant, entries = it.value()]() {
            if (!tenant->isEmpty())
                return;
            for (const model::AccountEntry &entry : entries)
                addAccountMenu(tenant, entry);
        });
    }
}

void TrayIcon::addAccountMenu(QMenu *parent, const model::AccountEntry &entry)
{
    const qint64 now = m_service ? m_service->clock().now() : 0;
    const QStringList recentScopes = m_settings ? m_settings->recentScopes() : QStringList();
    const QString id = entry.id();
    QMenu *submenu = parent->addMenu(
        accountTitle(entry, m_settings ? m_settings->tenantName(entry.record().tenantId) : QString()));
    if (entry.needsSignIn(now))
        submenu->setIcon(iconFor(State::Attention));
    if (entry.stored.metadata.isDefault) {
        QFont bold = submenu->menuAction()->font();
        bold.setBold(true);
        submenu->menuAction()->setFont(bold);
    }
    submenu->setToolTipsVisible(true);
    const model::Cloud cloud = model::cloudOfAuthority(entry.record().authority);
    for (const model::ScopePreset &preset : model::scopePresets(cloud)) {
        //: A tray menu entry: %1 is the API, e.g. "Azure Resource Manager"
        QAction *action = submenu->addAction(tr("Copy token: %1").arg(preset.label));
        action->setToolTip(tr("Copy a token for %1").arg(preset.scope));
        connect(action, &QAction::triggered, this,
                [this, id, scope = preset.scope]() { emit copyTokenRequested(id, scope); });
    }
    if (!recentScopes.isEmpty()) {
        submenu->addSeparator();
        for (const QString &scope : recentScopes) {
            QAction *action = submenu->addAction(tr("Copy token: %1").arg(scope));
            action->setToolTip(tr("Copy a token for %1").arg(scope));
            connect(action, &QAction::triggered, this,
                    [this, id, scope]() { emit copyTokenRequested(id, scope); });
        }
    }
    connect(submenu->addAction(tr("Copy token for another scope…")), &QAction::triggered, this,
            [this, id]() { emit otherScopeRequested(id); });
    submenu->addSeparator();
    connect(submenu->addAction(entry.needsSignIn(now) ? tr("Sign in again (needed)…") : tr("Sign in again…")),
            &QAction::triggered, this, [this, id]() { emit signInAgainRequested(id); });
}

void TrayIcon::addFormatMenu()
{
    QMenu *format = m_menu->addMenu(tr("Copy format"));
    auto *formats = new QActionGroup(format);
    formats->setExclusive(true);
    for (model::TokenFormat value : {model::TokenFormat::Raw, model::TokenFormat::BearerHeader}) {
        QAction *action = format->addAction(model::tokenFormatName(value));
        action->setCheckable(true);
        action->setChecked(m_settings && m_settings->tokenFormat() == value);
        formats->addAction(action);
        connect(action, &QAction::triggered, this, [this, value]() {
            if (m_settings)
                m_settings->setTokenFormat(value);
        });
    }
}

QString TrayIcon::toolTip() const
{
    if (!m_service)
        return QStringLiteral("Azid");
    if (!m_fetches.isEmpty()) {
        QStringList names;
        for (const TokenFetch &fetch : m_fetches)
            names << fetch.username;
        return tr("Azid — getting a token for %1… (Cancel in this menu)")
            .arg(names.join(QStringLiteral(", ")));
    }
    if (m_service->pendingRequests() > 0)
        return tr("Azid — getting a token…");
    if (m_clearIn >= 0)
        return tr("Azid — a token is on the clipboard, cleared in %n s", nullptr, m_clearIn);
    if (m_service->keychainState() != model::AccountService::KeychainState::Open)
        return tr("Azid — %1").arg(m_service->keychainMessage());
    const QList<model::AccountEntry> attention = m_service->accountsNeedingSignIn();
    if (!attention.isEmpty()) {
        QStringList names;
        for (const model::AccountEntry &entry : attention)
            names << entry.record().username;
        return tr("Azid — sign-in needed: %1").arg(names.join(QStringLiteral(", ")));
    }
    //: %1 is why the accounts could not be read
    if (!m_service->loadError().isEmpty())
        return tr("Azid — %1").arg(m_service->loadError());
    const qsizetype count = m_service->accounts().size();
    return count == 0 ? tr("Azid — no accounts yet: Add account… in this menu")
                      : tr("Azid — %n account(s)", nullptr, static_cast<int>(count));
}

void TrayIcon::updateState()
{
    State state = State::Normal;
    if (!m_fetches.isEmpty() || (m_service && m_service->pendingRequests() > 0))
        state = State::Busy;
    else if (m_service && m_service->keychainState() != model::AccountService::KeychainState::Open)
        state = State::Locked;
    else if (m_service && !m_service->accountsNeedingSignIn().isEmpty())
        state = State::Attention;
    if (state != m_state || m_icon.icon().isNull()) {
        m_state = state;
        m_icon.setIcon(iconFor(state));
    }
    m_icon.setToolTip(toolTip());
}

QString TrayIcon::notificationText(const QString &text)
{
    QString plain = text;
    plain.replace(QLatin1Char('<'), QChar(0x2039)).replace(QLatin1Char('>'), QChar(0x203A));
    plain.replace(QLatin1Char('&'), QChar(0xFF06));
    return plain;
}

void TrayIcon::showMessage(const QString &title, const QString &text, QSystemTrayIcon::MessageIcon icon,
                           int milliseconds)
{
    m_lastMessage = title + QStringLiteral(": ") + text;
    if (m_icon.isVisible() && QSystemTrayIcon::supportsMessages())
        m_icon.showMessage(notificationText(title), notificationText(text), icon, milliseconds);
}

} // namespace azid::ui
