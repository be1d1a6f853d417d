#include "azid/ui/desktopcontroller.h"

#include "azid/model/autostart.h"
#include "azid/model/cloud.h"
#include "azid/model/errortext.h"
#include "azid/model/whenready.h"
#include "azid/ui/appidentitiespanel.h"
#include "azid/ui/localtoolscontroller.h"
#include "uilogging.h"

#include <QApplication>
#include <QInputDialog>
#include <QLabel>
#include <QRegularExpression>
#include <QTimer>

namespace azid::ui {

namespace {

bool isTenantName(const QString &tenant)
{
    static const QRegularExpression guid(
        QStringLiteral("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"));
    const QString lower = tenant.toLower();
    return !tenant.isEmpty() && !guid.match(tenant).hasMatch() && lower != QStringLiteral("organizations") &&
           lower != QStringLiteral("common") && lower != QStringLiteral("consumers");
}

QString lifetimeText(qint64 seconds)
{
    //: A token's lifetime: hours and minutes
    if (seconds >= 3600)
        return DesktopController::tr("%1 h %2 min").arg(seconds / 3600).arg((seconds % 3600) / 60);
    //: A token's lifetime: minutes
    if (seconds >= 60)
        return DesktopController::tr("%1 min").arg(seconds / 60);
    //: A token's lifetime: seconds
    return DesktopController::tr("%1 s").arg(qMax<qint64>(0, seconds));
}

} // namespace

DesktopController::DesktopController(model::AccountService *service, model::AppSettings *settings,
                                     SecretClipboard *clipboard, QObject *parent)
    : QObject(parent), m_service(service), m_settings(settings), m_clipboard(clipboard),
      m_model(std::make_unique<AccountsModel>(service)),
      m_tray(std::make_unique<TrayIcon>(service, settings)),
      m_window(std::make_unique<AccountsWindow>(service, m_model.get(), settings))
{
    m_model->setTenantNames([settings = QPointer<model::AppSettings>(settings)](const QString &tenantId) {
        return settings ? settings->tenantName(tenantId) : QString();
    });
    connect(m_tray.get(), &TrayIcon::copyTokenRequested, this,
            [this](const QString &id, const QString &scope) { copyToken(id, scope); });
    connect(m_tray.get(), &TrayIcon::otherScopeRequested, this, &DesktopController::askForScope);
    connect(m_tray.get(), &TrayIcon::signInAgainRequested, this,
            [this](const QString &id) { signInAgain(id); });
    connect(m_tray.get(), &TrayIcon::addAccountRequested, this, &DesktopController::openSignIn);
    connect(m_tray.get(), &TrayIcon::accountsWindowRequested, this, &DesktopController::showAccountsWindow);
    connect(m_tray.get(), &TrayIcon::settingsRequested, this, &DesktopController::openSettings);
    connect(m_tray.get(), &TrayIcon::quitRequested, this, &DesktopController::quit);
    connect(m_tray.get(), &TrayIcon::cancelFetchRequested, this, &DesktopController::cancelTokenFetch);
    connectClipboardCountdown();
    connectAppIdentities();
    connect(m_tray.get(), &TrayIcon::messageClicked, this, [this]() {
        // Only the message that offered it cancels, and only the fetch it named.
        if (m_cancelNotice.isEmpty() || m_tray->lastMessage() != m_cancelNotice)
            return;
        for (auto it = m_fetches.cbegin(); it != m_fetches.cend(); ++it) {
            if (it->ticket == m_cancelTicket) {
                cancelTokenFetch(it.key());
                return;
            }
        }
    });

    connect(m_window.get(), &AccountsWindow::addAccountRequested, this, &DesktopController::openSignIn);
    connect(m_window.get(), &AccountsWindow::signInAgainRequested, this,
            [this](const QString &id) { signInAgain(id); });
    connect(m_window.get(), &AccountsWindow::copyTokenRequested, this,
            [this](const QString &id, const QString &scope) { copyToken(id, scope); });
    connect(m_window.get(), &AccountsWindow::otherScopeRequested, this, &DesktopController::askForScope);
    connect(m_window.get(), &AccountsWindow::inspectTokenRequested, this, &DesktopController::openInspector);
    connect(m_window.get(), &AccountsWindow::settingsRequested, this, &DesktopController::openSettings);
    connect(m_window.get(), &AccountsWindow::closedToTray, this, &DesktopController::onWindowClosedToTray);
    if (m_service) {
        connect(m_service, &model::AccountService::accountsChanged, this, [this]() {
            const QStringList warnings = m_service->storage().storageWarnings();
            for (const QString &warning : warnings) {
                if (m_shownWarnings.contains(warning))
                    continue;
                m_shownWarnings << warning;
                notify(tr("Storage"), warning, QSystemTrayIcon::Warning);
            }
        });
        connect(m_service, &model::AccountService::sharedCacheFailed, this,
                [this](const QString &, const QString &message) {
                    notify(tr("Share with Azure tools"), message, QSystemTrayIcon::Warning);
                });
        connect(m_service, &model::AccountService::sharedCacheWarning, this, [this](const QString &warning) {
            if (m_shownWarnings.contains(warning))
                return;
            m_shownWarnings << warning;
            notify(tr("Share with Azure tools"), warning, QSystemTrayIcon::Warning);
        });
    }
}

DesktopController::~DesktopController()
{
    for (QWidget *widget :
         {static_cast<QWidget *>(m_signIn.data()), static_cast<QWidget *>(m_inspector.data()),
          static_cast<QWidget *>(m_settingsDialog.data())}) {
        delete widget;
    }
}

void DesktopController::start(bool showWindow)
{
    if (m_service)
        m_service->reload();
    m_usesTray = TrayIcon::isSystemTrayAvailable();
    m_window->setHideOnClose(m_usesTray);
    if (m_usesTray)
        m_tray->show();
    else
        qCInfo(lcUi) << "no system tray here: showing the accounts window instead";
    if (showWindow || !m_usesTray)
        showAccountsWindow();
    else
        showWindowIfNoAccounts();
}

void DesktopController::showWindowIfNoAccounts()
{
    if (!m_service)
        return;
    auto shown = std::make_shared<QMetaObject::Connection>();
    auto check = [this, shown]() {
        if (!m_service || !m_service->isLoaded())
            return;
        QObject::disconnect(*shown);
        // A first start: nothing but a tray icon would leave a new user wondering where Azid is.
        if (m_service->accounts().isEmpty())
            showAccountsWindow();
    };
    *shown = connect(m_service, &model::AccountService::accountsChanged, this, check);
    check();
}

void DesktopController::onWindowClosedToTray()
{
    if (!m_usesTray || !m_settings || m_settings->closeToTrayNoticeShown())
        return;
    m_settings->setCloseToTrayNoticeShown(true);
    m_tray->showMessage(tr("Azid keeps running"),
                        tr("Azid is still in the system tray: its menu copies tokens and opens the accounts "
                           "window again. Quit it from there."));
}

void DesktopController::connectAppIdentities()
{
    if (!m_service)
        return;
    m_appIdentities = std::make_unique<AppIdentitiesController>(m_service->storage().secretStore(),
                                                                m_settings, m_clipboard);
    m_tray->setAppIdentitiesMenu(m_appIdentities->menu());
    m_window->addPanel(m_appIdentities->createPanel(m_window.get()));
    connect(m_appIdentities.get(), &AppIdentitiesController::notice, this,
            [this](const QString &title, const QString &text, bool warning) {
                notify(title, text, warning ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information);
            });
}

void DesktopController::connectClipboardCountdown()
{
    connect(m_tray.get(), &TrayIcon::clearClipboardRequested, this, [this]() {
        if (m_clipboard)
            m_clipboard->clearNow();
        updateClipboardCountdown();
    });
    m_countdown = new QTimer(this);
    m_countdown->setInterval(1000);
    connect(m_countdown, &QTimer::timeout, this, &DesktopController::updateClipboardCountdown);
    if (m_clipboard) {
        connect(m_clipboard, &SecretClipboard::copied, this, &DesktopController::updateClipboardCountdown);
        connect(m_clipboard, &SecretClipboard::cleared, this, &DesktopController::updateClipboardCountdown);
    }
}

void DesktopController::updateClipboardCountdown()
{
    const bool pending = m_clipboard && m_clipboard->clearPending();
    int seconds = -1;
    if (pending) {
        const auto left = m_clipboard->clearsIn();
        seconds = static_cast<int>((left.count() + 999) / 1000);
        if (!m_countdown->isActive())
            m_countdown->start();
    } else {
        m_countdown->stop();
    }
    m_tray->setClipboardCountdown(seconds);
    m_window->setClipboardCountdown(seconds);
}

void DesktopController::raise(QWidget *widget)
{
    if (widget->isMinimized())
        widget->showNormal();
    else
        widget->show();
    widget->raise();
    widget->activateWindow();
}

void DesktopController::showAccountsWindow()
{
    raise(m_window.get());
}

void DesktopController::attachLocalTools(LocalToolsController *localTools)
{
    model::LocalTools &tools = localTools->tools();
    connect(m_tray.get(), &TrayIcon::localToolsWindowRequested, localTools,
            &LocalToolsController::showWindow);
    connect(m_window.get(), &AccountsWindow::serveToLocalToolsRequested, localTools,
            &LocalToolsController::setServing);
    connect(m_window.get(), &AccountsWindow::copyShellEnvironmentRequested, localTools,
            &LocalToolsController::copyShellEnvironment);
    connect(localTools, &LocalToolsController::message, this,
            [this](const QString &title, const QString &text) { notify(title, text); });
    const auto showServed = [this, &tools]() { m_window->setServedAccounts(tools.servedAccounts()); };
    connect(&tools, &model::LocalTools::servingChanged, this, showServed);
    showServed();
}

void DesktopController::notify(const QString &title, const QString &text, QSystemTrayIcon::MessageIcon icon)
{
    m_tray->showMessage(title, text, icon);
    if (!m_usesTray || m_window->isVisible())
        //: A tray message in the status bar: its title, then its text
        m_window->showStatus(tr("%1: %2").arg(title, text));
}

void DesktopController::copyToken(const QString &accountId, const QString &scope, const QString &claims)
{
    if (!m_service)
        return;
    const auto entry = m_service->account(accountId);
    const QString user = entry ? entry->record().username : accountId;
    // One copy per account at a time: a new request replaces the one still waiting (which is cancelled
    // and whose answer is dropped), so the clipboard gets what was asked for last, never whichever of
    // two parallel fetches happens to finish later.
    abandonTokenFetch(accountId);
    const quint64 ticket = ++m_lastTicket;
    const QFuture<TokenResult> future = m_service->token(accountId, {scope}, claims);
    m_fetches.insert(accountId, TokenFetch{ticket, user, scope, future});
    updateTrayFetches();
    QTimer::singleShot(m_slowFetchNotice, this, [this, accountId, ticket]() {
        const auto fetch = m_fetches.constFind(accountId);
        if (fetch == m_fetches.cend() || fetch->ticket != ticket)
            return;
        m_tray->showMessage(tr("Getting a token"),
                            tr("Still getting the %1 token for %2. Click this message to cancel.")
                                .arg(model::scopeLabel(fetch->scope), fetch->user));
        m_cancelNotice = m_tray->lastMessage();
        m_cancelTicket = ticket;
    });
    model::whenReady(future, this, [this, accountId, scope, claims, user, ticket](const TokenResult &result) {
        const auto fetch = m_fetches.constFind(accountId);
        if (fetch == m_fetches.cend() || fetch->ticket != ticket)
            return; // cancelled or replaced: nothing is copied, whatever came
        m_fetches.erase(fetch);
        updateTrayFetches();
        if (!result.ok()) {
            handleTokenError(accountId, scope, result.error(), PendingCopy{accountId, scope, claims});
            return;
        }
        const model::TokenFormat format = m_settings ? m_settings->tokenFormat() : model::TokenFormat::Raw;
        QString text = model::formatToken(result.value().token.revealString(), format);
        const auto delay = m_settings
                               ? m_settings->clipboardClearDelay()
                               : std::chrono::milliseconds(model::AppSettings::DefaultClearSeconds * 1000);
        if (m_clipboard)
            m_clipboard->copySecret(text, delay);
        scrub(text);
        if (m_settings) {
            m_settings->addRecentScope(scope);
            m_settings->addRecentAccount(accountId);
        }
        const qint64 left = result.value().expiresOn - m_service->clock().now();
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(delay).count();
        const QString what =
            format == model::TokenFormat::BearerHeader ? tr("Authorization header") : tr("Access token");
        const QString clearing =
            seconds > 0 ? tr("the clipboard is cleared in %n s", nullptr, static_cast<int>(seconds))
                        : tr("the clipboard is not cleared automatically");
        //: %1 is "Access token" or "Authorization header", %2 the scope or API, %3 the user, %4 how long
        //: the token is valid, %5 what happens to the clipboard
        notify(tr("Token copied"),
               tr("%1 for %2 (%3). Valid for %4; %5.")
                   .arg(what, model::scopeLabel(scope), user, lifetimeText(left), clearing));
        emit tokenCopied(accountId, scope, result.value().expiresOn);
    });
}

void DesktopController::cancelTokenFetch(const QString &accountId)
{
    const auto fetch = m_fetches.constFind(accountId);
    if (fetch == m_fetches.cend())
        return;
    const QString user = fetch->user;
    const QString scope = fetch->scope;
    abandonTokenFetch(accountId);
    notify(
        tr("Cancelled"),
        tr("Stopped getting the %1 token for %2: nothing was copied.").arg(model::scopeLabel(scope), user));
    emit tokenFetchCancelled(accountId, scope);
}

void DesktopController::abandonTokenFetch(const QString &accountId)
{
    auto fetch = m_fetches.find(accountId);
    if (fetch == m_fetches.end())
        return;
    QFuture<TokenResult> future = fetch->future;
    m_fetches.erase(fetch);
    // The service stops counting it as pending; an answer still on its way only fills the cache.
    future.cancel();
    updateTrayFetches();
}

void DesktopController::updateTrayFetches()
{
    QList<TrayIcon::TokenFetch> fetches;
    for (auto it = m_fetches.cbegin(); it != m_fetches.cend(); ++it)
        fetches << TrayIcon::TokenFetch{it.key(), it->user, model::scopeLabel(it->scope)};
    m_tray->setTokenFetches(fetches);
}

void DesktopController::handleTokenError(const QString &accountId, const QString &scope,
                                         const AuthError &error, std::optional<PendingCopy> retry)
{
    if (error.kind == ErrorKind::AuthenticationRequired) {
        m_pendingCopy = retry;
        const QStringList scopes = error.scopes.isEmpty() ? QStringList{scope} : error.scopes;
        signInAgain(accountId, error.message, scopes, error.claims);
        return;
    }
    notify(tr("Could not get a token"), model::errorSummary(error), QSystemTrayIcon::Warning);
}

void DesktopController::openSignIn()
{
    model::SignInRequest defaults;
    if (m_settings) {
        defaults.authority = m_settings->defaultAuthority();
        defaults.tenant = m_settings->defaultTenant();
        defaults.clientId = m_settings->defaultClientId();
        defaults.method = model::signInMethodFromKey(m_settings->lastSignInMethod())
                              .value_or(model::SignInMethod::SystemBrowser);
        defaults.disableInstanceDiscovery =
            model::cloudOfAuthority(defaults.authority) == model::Cloud::Custom;
    }
    showSignInDialog(defaults, false);
}

void DesktopController::signInAgain(const QString &accountId, const QString &reason,
                                    const QStringList &scopes, const QString &claims)
{
    const auto entry = m_service ? m_service->account(accountId) : std::nullopt;
    if (!entry)
        return;
    const AccountMetadata &metadata = entry->stored.metadata;
    model::SignInRequest request;
    request.authority = metadata.authorityUrl.isEmpty() ? entry->record().authority : metadata.authorityUrl;
    if (model::cloudOfAuthority(request.authority) == model::Cloud::Custom &&
        !request.authority.contains(QStringLiteral("://")))
        request.authority = QStringLiteral("https://") + request.authority;
    request.tenant = entry->record().tenantId;
    request.clientId = entry->record().clientId;
    request.loginHint = entry->record().username;
    request.username = entry->record().username;
    request.method =
        model::signInMethodFromKey(metadata.signInMethod).value_or(model::SignInMethod::SystemBrowser);
    request.disableInstanceDiscovery = metadata.disableInstanceDiscovery;
    request.scopes = scopes;
    request.claims = claims;
    request.makeDefault = metadata.isDefault;
    request.shareWithAzureTools = metadata.shareWithAzureTools;
    request.accountId = accountId;
    if (!reason.isEmpty() || !entry->attention.isEmpty())
        //: %2 is why: the authority's message
        request.reason = tr("Sign in again as %1 to continue. %2")
                             .arg(entry->record().username, reason.isEmpty() ? entry->attention : reason);
    showSignInDialog(request, true);
    if (m_usesTray && !reason.isEmpty())
        m_tray->showMessage(tr("Sign-in needed"),
                            tr("%1 needs to sign in again.").arg(entry->record().username),
                            QSystemTrayIcon::Warning);
}

void DesktopController::showSignInDialog(const model::SignInRequest &prefill, bool again)
{
    if (m_signIn && m_signIn->page() == SignInDialog::Page::Waiting) {
        // One sign-in at a time: the running one comes to the front.
        raise(m_signIn);
        return;
    }
    delete m_signIn;
    QPointer<model::AccountService> service = m_service;
    auto *dialog = new SignInDialog(
        [service](const model::SignInRequest &request, QObject *parent) -> model::SignInOperation * {
            if (!service)
                return nullptr;
            return service->signIn(request, parent);
        });
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (m_service) {
        dialog->setClock(&m_service->clock());
        dialog->setEmbeddedBrowserAvailable(m_service->embeddedBrowser().isAvailable(),
                                            m_service->embeddedBrowser().unavailableReason());
        dialog->setShareWithAzureToolsAvailable(m_service->canShareWithAzureTools(),
                                                m_service->shareWithAzureToolsUnavailableReason());
    }
    if (again)
        dialog->prefill(prefill);
    else
        dialog->setDefaults(
            {prefill.authority, prefill.tenant, prefill.clientId, model::signInMethodKey(prefill.method)});
    connect(dialog, &SignInDialog::signedIn, this, &DesktopController::onSignedIn);
    connect(dialog, &QDialog::rejected, this, [this]() {
        m_pendingCopy.reset();
        emit signInClosed();
    });
    m_signIn = dialog;
    raise(dialog);
}

void DesktopController::onSignedIn(const StoredAccount &account, const model::SignInRequest &request)
{
    if (m_settings) {
        m_settings->setLastSignInMethod(model::signInMethodKey(request.method));
        if (isTenantName(request.tenant))
            m_settings->setTenantName(account.record.tenantId, request.tenant);
    }
    notify(tr("Signed in"), tr("%1 is signed in.").arg(account.record.username));
    m_window->selectAccount(account.record.homeAccountId);
    emit accountSignedIn(account.record.homeAccountId);
    if (m_pendingCopy && m_pendingCopy->accountId == account.record.homeAccountId) {
        const PendingCopy copy = *m_pendingCopy;
        m_pendingCopy.reset();
        copyToken(copy.accountId, copy.scope, copy.claims.isEmpty() ? request.claims : copy.claims);
    }
}

void DesktopController::askForScope(const QString &accountId)
{
    const auto entry = m_service ? m_service->account(accountId) : std::nullopt;
    if (!entry)
        return;
    auto *dialog = new QInputDialog;
    dialog->setObjectName(QStringLiteral("otherScopeDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Other scope — Azid"));
    dialog->setLabelText(tr("Copy a token for %1, for the scope (e.g. api://my-api/.default or "
                            "https://database.windows.net/.default):")
                             .arg(entry->record().username));
    // The user name comes from outside (an imported record): never rich text.
    for (QLabel *label : dialog->findChildren<QLabel *>())
        label->setTextFormat(Qt::PlainText);
    dialog->setTextValue(
        m_settings && !m_settings->recentScopes().isEmpty() ? m_settings->recentScopes().first() : QString());
    connect(dialog, &QInputDialog::textValueSelected, this, [this, accountId](const QString &scope) {
        if (!scope.trimmed().isEmpty())
            copyToken(accountId, scope.trimmed());
    });
    dialog->open();
    raise(dialog);
}

void DesktopController::openInspector(const QString &accountId, const QString &scope)
{
    if (!m_inspector) {
        m_inspector = new TokenInspector;
        m_inspector->setAttribute(Qt::WA_DeleteOnClose);
        if (m_service)
            m_inspector->setClock(&m_service->clock());
        connect(m_inspector, &TokenInspector::newTokenRequested, this,
                [this](const QString &id, const QStringList &scopes, const QString &claims) {
                    model::whenReady(
                        m_service->token(id, scopes, claims), this,
                        [this, id, scopes](const TokenResult &result) {
                            if (result.ok() && m_inspector)
                                m_inspector->setToken(result.value().token.revealString(), id, scopes);
                            else if (!result.ok())
                                handleTokenError(id, scopes.value(0), result.error(), std::nullopt);
                        });
                });
    }
    if (accountId.isEmpty() || !m_service) {
        m_inspector->setToken(QString());
        raise(m_inspector);
        return;
    }
    model::whenReady(m_service->token(accountId, {scope}), this,
                     [this, accountId, scope](const TokenResult &result) {
                         if (!result.ok()) {
                             handleTokenError(accountId, scope, result.error(), std::nullopt);
                             return;
                         }
                         if (!m_inspector)
                             return;
                         m_inspector->setToken(result.value().token.revealString(), accountId, {scope});
                         raise(m_inspector);
                     });
}

void DesktopController::openSettings()
{
    if (!m_settingsDialog) {
        m_settingsDialog = new SettingsDialog(m_settings);
        m_settingsDialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(m_settingsDialog, &SettingsDialog::saved, this, &DesktopController::applySettings);
    } else {
        m_settingsDialog->load();
    }
    raise(m_settingsDialog);
}

void DesktopController::applySettings()
{
    if (!m_settings)
        return;
    if (m_service)
        m_service->setHttpOptions(m_settings->httpOptions());
    if (!m_programPath.isEmpty()) {
        model::Autostart autostart(m_settings->profile(), m_programPath);
        if (autostart.isEnabled() != m_settings->startAtLogin() &&
            !autostart.setEnabled(m_settings->startAtLogin()))
            notify(tr("Start at login"), autostart.errorString(), QSystemTrayIcon::Warning);
    }
}

void DesktopController::quit()
{
    for (const QString &accountId : m_fetches.keys())
        abandonTokenFetch(accountId);
    if (m_signIn)
        m_signIn->close();
    if (m_clipboard)
        m_clipboard->clearNow();
    m_tray->hide();
    emit quitRequested();
}

} // namespace azid::ui
