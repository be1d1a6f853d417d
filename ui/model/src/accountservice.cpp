#include "azid/model/accountservice.h"

#include "azid/interactivebrowsercredential.h"
#include "azid/keychain/storagefailure.h"
#include "azid/model/cloud.h"
#include "azid/model/records.h"
#include "azid/model/sharedcache.h"
#include "azid/model/signin.h"
#include "azid/model/whenready.h"
#include "azid/readyfuture.h"
#include "azid/tokencache.h"
#include "modellogging.h"

#include <QCoreApplication>
#include <QFutureWatcher>
#include <QMetaObject>
#include <QProcess>
#include <QPromise>
#include <QTimer>

#include <algorithm>

namespace azid::model {

namespace {

QString cacheKey(const QString &homeAccountId, const QString &environment)
{
    return homeAccountId.toLower() + QLatin1Char('|') + environment.toLower();
}

// What the caches hold per account (the two caches together), by cacheKey().
QHash<QString, CachedAccountState> collect(const QList<const TokenCache *> &caches, qint64 now)
{
    QHash<QString, CachedAccountState> states;
    for (const TokenCache *cache : caches) {
        for (const CachedAccountState &found : cache->accountStates(now)) {
            CachedAccountState &state = states[cacheKey(found.homeAccountId, found.environment)];
            state.validUntil = qMax(state.validUntil, found.validUntil);
            for (const QString &scope : found.validScopes) {
                if (!state.validScopes.contains(scope))
                    state.validScopes << scope;
            }
            if (!found.displayName.isEmpty())
                state.displayName = found.displayName;
        }
    }
    return states;
}

} // namespace

AccountService::AccountService(std::unique_ptr<ProfileStorage> storage, QObject *parent)
    : QObject(parent), m_storage(std::move(storage)), m_clock(&Clock::system())
{}

AccountService::~AccountService() = default;

void AccountService::setHttpOptions(const HttpOptions &options)
{
    m_http = options;
    m_embeddedBrowser.setNetwork(options);
    ++m_credentialGeneration;
    retireCredentials();
}

void AccountService::setBrowserOpener(BrowserOpener opener)
{
    m_browserOpener = std::move(opener);
}

void AccountService::setEmbeddedBrowser(const EmbeddedBrowser &browser)
{
    m_embeddedBrowser = browser;
    m_embeddedBrowser.setNetwork(m_http);
}

void AccountService::setClock(const Clock *clock)
{
    m_clock = clock ? clock : &Clock::system();
    ++m_credentialGeneration;
    retireCredentials();
}

void AccountService::reload()
{
    const quint64 generation = ++m_reloadGeneration;
    whenReady(
        m_storage->accounts().list(), this, [this, generation](const Result<QList<StoredAccount>> &listed) {
            if (generation != m_reloadGeneration)
                return;
            if (!listed.ok()) {
                // What was loaded stays: a locked keychain is a state, not an empty list.
                noteKeychainError(listed.error());
                m_loadError = listed.error().message;
                m_loaded = true;
                qCWarning(lcModel).noquote() << "could not read the accounts:" << m_loadError;
                rebuildEntries();
                emit accountsChanged();
                return;
            }
            m_stored = listed.value();
            // Sign-ins still waiting for the keychain are shown as well.
            for (const StoredAccount &unsaved : std::as_const(m_unsaved)) {
                const bool known = std::any_of(m_stored.begin(), m_stored.end(), [&](const StoredAccount &a) {
                    return a.record.homeAccountId == unsaved.record.homeAccountId;
                });
                if (!known)
                    m_stored.append(unsaved);
            }
            whenReady(m_storage->loadCaches(), this, [this, generation](const VoidResult &loaded) {
                if (generation != m_reloadGeneration)
                    return;
                m_loadError = loaded.ok() ? QString() : loaded.error().message;
                if (!loaded.ok()) {
                    noteKeychainError(loaded.error());
                    qCWarning(lcModel).noquote() << "could not read the token caches:" << m_loadError;
                } else if (m_keychainState != KeychainState::Open) {
                    keychainOpened();
                    return; // it loads again
                }
                m_loaded = true;
                rebuildEntries();
                emit accountsChanged();
            });
        });
}

void AccountService::setKeychainWatch(KeychainAvailability::Probe probe, UnlockRequest unlock)
{
    m_keychainWatch = std::make_unique<KeychainAvailability>(std::move(probe));
    m_unlock = std::move(unlock);
    connect(m_keychainWatch.get(), &KeychainAvailability::available, this, [this]() {
        if (m_keychainState != KeychainState::Open)
            keychainOpened();
    });
}

bool AccountService::noteKeychainError(const AuthError &error)
{
    KeychainState state = KeychainState::Open;
    switch (storageFailure(error)) {
    case StorageFailure::KeychainLocked:
    case StorageFailure::KeychainAccessDenied:
        state = KeychainState::Locked;
        break;
    case StorageFailure::KeychainUnavailable:
    case StorageFailure::KeychainTimeout:
        state = KeychainState::Unavailable;
        break;
    default:
        return false;
    }
    const QString message =
        state == KeychainState::Locked
            ? tr("The keychain is locked, so Azid cannot read or save accounts. Unlock it; tokens already "
                 "loaded can still be copied, and new sign-ins are kept until then.")
            : tr("The keychain cannot be reached, so Azid cannot read or save accounts. Start it (or log "
                 "in again); new sign-ins are kept until then.");
    const bool changed = state != m_keychainState || message != m_keychainMessage;
    m_keychainState = state;
    m_keychainMessage = message;
    if (m_keychainWatch && m_keychainWatch->state() != KeychainAvailability::State::Waiting &&
        m_keychainWatch->state() != KeychainAvailability::State::Checking) {
        m_keychainWatch->stop();
        // The watcher's probe said "open" a moment ago, yet Azid's own reads fail (another backend
        // than the profile's, a refused item): probing again at once would only loop. Wait instead.
        if (m_sinceOpened.isValid() && m_sinceOpened.elapsed() < 5000)
            QTimer::singleShot(std::chrono::seconds(30), m_keychainWatch.get(),
                               &KeychainAvailability::retryNow);
        else
            m_keychainWatch->retryNow();
    }
    if (changed)
        emit keychainStateChanged(state);
    return true;
}

void AccountService::keychainOpened()
{
    m_sinceOpened.start();
    m_keychainState = KeychainState::Open;
    m_keychainMessage.clear();
    if (m_keychainWatch)
        m_keychainWatch->stop();
    emit keychainStateChanged(m_keychainState);
    saveUnsaved();
    reload();
}

void AccountService::unlockKeychain()
{
    if (!m_unlock) {
        reload();
        return;
    }
    QPointer<AccountService> self(this);
    m_unlock().then(QtFuture::Launch::Sync, [self](const VoidResult &unlocked) {
        if (!self)
            return;
        QMetaObject::invokeMethod(self, [self, unlocked]() {
            if (!self)
                return;
            if (!unlocked.ok())
                self->noteKeychainError(unlocked.error());
            self->reload(); // also when the prompt was dismissed: the keychain may be open anyway
        });
    });
}

void AccountService::saveUnsaved()
{
    if (m_unsaved.isEmpty())
        return;
    const StoredAccount next = m_unsaved.first();
    whenReady(m_storage->saveCaches(), this, [this, next](const VoidResult &saved) {
        if (!saved.ok()) {
            if (!noteKeychainError(saved.error()))
                qCWarning(lcModel).noquote() << "could not save the token caches:" << saved.error().message;
            return;
        }
        whenReady(m_storage->accounts().put(next.record, next.metadata), this,
                  [this, next](const VoidResult &stored) {
                      if (!stored.ok()) {
                          if (!noteKeychainError(stored.error()))
                              qCWarning(lcModel).noquote()
                                  << "could not save the account:" << stored.error().message;
                          return;
                      }
                      m_unsaved.removeIf([&next](const StoredAccount &account) {
                          return account.record.homeAccountId == next.record.homeAccountId;
                      });
                      qCInfo(lcModel) << "saved a sign-in that waited for the keychain";
                      rebuildEntries();
                      emit accountsChanged();
                      saveUnsaved();
                  });
    });
}

void AccountService::rebuildEntries()
{
    const qint64 now = m_clock->now();
    const QHash<QString, CachedAccountState> states =
        collect({m_storage->cache().get(), m_storage->caeCache().get()}, now);
    QList<AccountEntry> entries;
    for (const StoredAccount &stored : std::as_const(m_stored)) {
        AccountEntry entry;
        entry.stored = stored;
        const AuthenticationRecord &record = stored.record;
        const QString environment = cacheEnvironment(record.authority);
        const QString key = cacheKey(record.homeAccountId, environment);
        const CachedAccountState state = states.value(key);
        entry.tokens.validUntil = state.validUntil;
        entry.tokens.validScopes = state.validScopes;
        entry.displayName = state.displayName;
        entry.tokens.hasRefreshToken =
            m_storage->cache()->findRefreshToken(record.homeAccountId, environment, record.clientId) ||
            m_storage->caeCache()->findRefreshToken(record.homeAccountId, environment, record.clientId);
        entry.attention = m_attention.value(record.homeAccountId);
        entry.unsaved = std::any_of(m_unsaved.begin(), m_unsaved.end(), [&record](const StoredAccount &a) {
            return a.record.homeAccountId == record.homeAccountId;
        });
        entries << entry;
    }
    m_entries = entries;
}

std::optional<AccountEntry> AccountService::account(const QString &id) const
{
    for (const AccountEntry &entry : m_entries) {
        if (entry.id() == id)
            return entry;
    }
    return std::nullopt;
}

std::optional<AccountEntry> AccountService::defaultAccount() const
{
    for (const AccountEntry &entry : m_entries) {
        if (entry.stored.metadata.isDefault)
            return entry;
    }
    if (m_entries.size() == 1)
        return m_entries.first();
    return std::nullopt;
}

QList<AccountEntry> AccountService::accountsNeedingSignIn() const
{
    QList<AccountEntry> result;
    const qint64 now = m_clock->now();
    for (const AccountEntry &entry : m_entries) {
        if (entry.needsSignIn(now))
            result << entry;
    }
    return result;
}

void AccountService::setPending(int delta)
{
    m_pendingRequests += delta;
    emit pendingRequestsChanged(m_pendingRequests);
}

InteractiveBrowserCredential *AccountService::credentialFor(const AccountEntry &entry)
{
    const QString key = QStringLiteral("%1|%2|%3|%4")
                            .arg(m_credentialGeneration)
                            .arg(entry.stored.metadata.lastSignIn)
                            .arg(entry.record().authority, entry.record().clientId);
    InteractiveBrowserCredential *current = m_credentials.value(entry.id());
    if (current && m_credentialKeys.value(current) == key)
        return current;
    if (current)
        retireCredential(current);

    // The tray never opens a browser by itself: it asks, with the reason, in the sign-in dialog.
    const InteractiveBrowserCredentialOptions options = accountCredentialOptions(
        entry.stored, SignInContext{m_http, m_storage->cache(), m_storage->caeCache(), m_clock});
    auto *credential = new InteractiveBrowserCredential(options, this);
    m_credentials.insert(entry.id(), credential);
    m_credentialKeys.insert(credential, key);
    return credential;
}

void AccountService::releaseCredential(InteractiveBrowserCredential *credential)
{
    const int left = m_inUse.value(credential) - 1;
    if (left > 0) {
        m_inUse.insert(credential, left);
        return;
    }
    m_inUse.remove(credential);
    if (!m_credentialKeys.contains(credential))
        credential->deleteLater(); // retired while in use
}

void AccountService::retireCredential(InteractiveBrowserCredential *credential)
{
    m_credentialKeys.remove(credential);
    for (auto it = m_credentials.begin(); it != m_credentials.end();) {
        if (it.value() == credential)
            it = m_credentials.erase(it);
        else
            ++it;
    }
    if (!m_inUse.contains(credential))
        credential->deleteLater();
}

void AccountService::retireCredentials()
{
    const auto credentials = m_credentials.values();
    for (const QPointer<InteractiveBrowserCredential> &credential : credentials) {
        if (credential)
            retireCredential(credential);
    }
    m_credentials.clear();
}

QFuture<TokenResult> AccountService::token(const QString &id, const QStringList &scopes,
                                           const QString &claims)
{
    TokenRequestOptions request;
    request.scopes = scopes;
    request.claims = claims;
    return tokenFor(id, request);
}

QFuture<TokenResult> AccountService::tokenFor(const QString &id, const TokenRequestOptions &request)
{
    if (!account(id)) {
        return ready(TokenResult(AuthError::unavailable(
            tr("This account is not signed in any more: add it again with \"Add account\"."))));
    }
    auto promise = std::make_shared<QPromise<TokenResult>>();
    promise->start();
    setPending(+1);
    // Set once the request stops counting: when its result is delivered or when the caller cancels.
    auto over = std::make_shared<bool>(false);
    auto *watcher = new QFutureWatcher<TokenResult>(this);
    connect(watcher, &QFutureWatcherBase::canceled, this, [this, promise, over]() {
        if (*over)
            return;
        *over = true;
        setPending(-1);
        promise->finish(); // cancelled and without a result; a late result is dropped
    });
    connect(watcher, &QFutureWatcherBase::finished, watcher, &QObject::deleteLater);
    watcher->setFuture(promise->future());

    // Tokens that azid-cli or another instance saved meanwhile come in first.
    whenReady(m_storage->loadCaches(), this, [this, id, request, promise, over](const VoidResult &loaded) {
        if (!loaded.ok())
            qCWarning(lcModel).noquote() << "could not read the token caches:" << loaded.error().message;
        if (*over)
            return; // cancelled before anything went out
        const auto entry = account(id);
        if (!entry) {
            *over = true;
            setPending(-1);
            promise->addResult(TokenResult(
                AuthError::unavailable(tr("This account was removed while its token was requested."))));
            promise->finish();
            return;
        }
        InteractiveBrowserCredential *credential = credentialFor(*entry);
        m_inUse[credential] += 1;
        const quint64 generation = m_storage->cache()->generation();
        const quint64 caeGeneration = m_storage->caeCache()->generation();
        whenReady(
            credential->getTokenInfo(request), this,
            [this, id, promise, over, credential, generation, caeGeneration](const TokenResult &result) {
                releaseCredential(credential);
                if (result.ok())
                    m_attention.remove(id);
                else if (result.error().kind == ErrorKind::AuthenticationRequired)
                    m_attention.insert(id, result.error().message);
                whenReady(m_storage->saveCaches(), this, [](const VoidResult &saved) {
                    if (!saved.ok())
                        qCWarning(lcModel).noquote()
                            << "could not save the token caches:" << saved.error().message;
                });
                // A refresh (also one whose request was cancelled meanwhile) changed the cache.
                if (result.ok() && (m_storage->cache()->generation() != generation ||
                                    m_storage->caeCache()->generation() != caeGeneration))
                    publishIfShared(id);
                rebuildEntries();
                emit accountsChanged();
                if (*over)
                    return;
                *over = true;
                setPending(-1);
                promise->addResult(result);
                promise->finish();
            });
    });
    return promise->future();
}

SignInOperation *AccountService::signIn(const SignInRequest &request, QObject *parent)
{
    auto *operation = new SignInOperation(request, parent);
    operation->reportStatus(tr("Preparing the sign-in…"));
    QPointer<AccountService> self(this);
    whenReady(m_storage->loadCaches(), operation, [self, operation, request](const VoidResult &loaded) {
        if (!loaded.ok())
            qCWarning(lcModel).noquote() << "could not read the token caches:" << loaded.error().message;
        if (!self) {
            operation->fail(AuthError::unavailable(tr("Azid is shutting down.")));
            return;
        }
        if (operation->isRunning())
            self->runSignIn(operation, request);
    });
    return operation;
}

namespace {

// Both browser methods report the address they open, so that it can be opened by hand.
BrowserOpener systemBrowserPrompt(QPointer<SignInOperation> op, BrowserOpener opener)
{
    return [op, opener](const QUrl &url) {
        const bool opened = opener(url);
        if (op) {
            op->reportBrowserUrl(url, opened);
            op->reportStatus(opened ? AccountService::tr("Waiting for you to sign in in the browser…")
                                    : AccountService::tr("No browser could be started: open the address "
                                                         "below in a browser yourself."));
        }
        // Even without a browser the listener waits: the address can be opened by hand.
        return true;
    };
}

// Azid's own sign-in window (the azid-webview helper): its exit says how the sign-in ended.
void watchEmbeddedBrowser(QPointer<SignInOperation> op, QProcess *process)
{
    QObject::connect(process, &QProcess::finished, process, &QObject::deleteLater);
    QObject::connect(process, &QProcess::finished, op, [op](int exitCode, QProcess::ExitStatus status) {
        if (status == QProcess::NormalExit && exitCode == EmbeddedBrowser::ExitRedirected)
            return; // the listener has the code; the token comes next
        op->fail(AuthError::authentication(
            status == QProcess::NormalExit && exitCode == EmbeddedBrowser::ExitClosed
                ? AccountService::tr("The sign-in window was closed before the sign-in finished. Start "
                                     "again to retry.")
                : AccountService::tr("The embedded browser stopped unexpectedly (exit code %1). Use the "
                                     "system browser or a device code instead.")
                      .arg(exitCode)));
    });
    QObject::connect(process, &QProcess::errorOccurred, op, [op, process](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            op->fail(AuthError::unavailable(AccountService::tr("The embedded browser could not be started "
                                                               "(%1). Use the system browser or a device "
                                                               "code instead.")
                                                .arg(process->errorString())));
    });
    // The window outlives the operation only to say "signed in" and close itself; after a cancel or an
    // error it goes at once.
    QObject::connect(op, &SignInOperation::finished, process, [op, process]() {
        if (process->state() == QProcess::NotRunning)
            return;
        const bool succeeded = op->state() == SignInOperation::State::Succeeded;
        process->setParent(QCoreApplication::instance());
        if (succeeded)
            QTimer::singleShot(std::chrono::seconds(10), process, &QProcess::terminate);
        else
            process->terminate();
    });
}

BrowserOpener embeddedBrowserPrompt(QPointer<SignInOperation> op, EmbeddedBrowser browser)
{
    return [op, browser](const QUrl &url) {
        if (!op)
            return false;
        watchEmbeddedBrowser(op, browser.open(url, op));
        op->reportBrowserUrl(url, true);
        op->reportStatus(AccountService::tr("Sign in in the Azid sign-in window…"));
        return true;
    };
}

} // namespace

SignInPrompts AccountService::promptsFor(SignInOperation *operation, SignInMethod method) const
{
    const QPointer<SignInOperation> op(operation);
    SignInPrompts prompts;
    if (method == SignInMethod::SystemBrowser)
        prompts.openBrowser =
            systemBrowserPrompt(op, m_browserOpener ? m_browserOpener : systemBrowserOpener());
    else if (method == SignInMethod::EmbeddedBrowser)
        prompts.openBrowser = embeddedBrowserPrompt(op, m_embeddedBrowser);
    prompts.showDeviceCode = [op](const DeviceCodeInfo &code) {
        if (!op)
            return;
        op->reportDeviceCode(code);
        op->reportStatus(tr("Waiting for you to enter the code and sign in…"));
    };
    return prompts;
}

void AccountService::runSignIn(SignInOperation *operation, const SignInRequest &request)
{
    if (request.method == SignInMethod::EmbeddedBrowser && !m_embeddedBrowser.isAvailable()) {
        operation->fail(AuthError::unavailable(m_embeddedBrowser.unavailableReason()));
        return;
    }
    if (request.method == SignInMethod::UsernamePassword)
        operation->reportStatus(tr("Checking the user name and password…"));
    const SignInContext context{m_http, m_storage->cache(), m_storage->caeCache(), m_clock};
    // Owned by the operation: cancelling or failing stops the flow (the listener closes, polling
    // ends, late answers are dropped with the credential).
    InteractiveCredential *credential =
        createSignInCredential(request, context, promptsFor(operation, request.method)).release();
    credential->setParent(operation);
    connect(operation, &SignInOperation::finished, credential, &QObject::deleteLater);

    QPointer<AccountService> self(this);
    whenReady(authenticateSignIn(*credential, request), operation,
              [self, operation, request](const Result<AuthenticationRecord> &record) {
                  if (!operation->isRunning())
                      return;
                  if (!self) {
                      operation->fail(AuthError::unavailable(tr("Azid is shutting down.")));
                      return;
                  }
                  if (!record.ok()) {
                      operation->fail(record.error());
                      return;
                  }
                  self->storeSignedIn(operation, request, record.value());
              });
}

void AccountService::storeSignedIn(SignInOperation *operation, const SignInRequest &request,
                                   const AuthenticationRecord &record)
{
    AccountMetadata metadata =
        metadataAfterSignIn(request, record.homeAccountId, m_stored, m_clock->now(), m_http.caBundleFile);
    metadata.shareWithAzureTools = metadata.shareWithAzureTools && canShareWithAzureTools();
    bool wasShared = false;
    for (const StoredAccount &stored : std::as_const(m_stored)) {
        if (stored.record.homeAccountId == record.homeAccountId)
            wasShared = stored.metadata.shareWithAzureTools;
    }
    operation->reportStatus(tr("Saving the account…"));

    QPointer<AccountService> self(this);
    // The sign-in is known at once, so that what follows it (a token copy) finds it; `saved` says
    // whether it is in the keychain yet.
    auto known = [self, operation, record, metadata, wasShared](bool saved) {
        bool replaced = false;
        for (StoredAccount &account : self->m_stored) {
            if (metadata.isDefault)
                account.metadata.isDefault = false;
            if (account.record.homeAccountId == record.homeAccountId) {
                account = StoredAccount{record, metadata};
                replaced = true;
            }
        }
        if (!replaced)
            self->m_stored.append(StoredAccount{record, metadata});
        self->m_unsaved.removeIf([&record](const StoredAccount &account) {
            return account.record.homeAccountId == record.homeAccountId;
        });
        if (!saved)
            self->m_unsaved.append(StoredAccount{record, metadata});
        self->m_attention.remove(record.homeAccountId);
        self->rebuildEntries();
        emit self->accountsChanged();
        if (saved && (metadata.shareWithAzureTools || wasShared))
            self->queueSharedCacheJob(record, metadata.shareWithAzureTools);
        operation->succeed(StoredAccount{record, metadata});
        if (saved)
            self->reload();
    };
    whenReady(m_storage->saveCaches(), operation,
              [self, operation, record, metadata, known](const VoidResult &saved) {
                  if (!self || !operation->isRunning())
                      return;
                  if (!saved.ok()) {
                      if (self->noteKeychainError(saved.error())) {
                          qCInfo(lcModel)
                              << "the keychain cannot be written now; the sign-in is kept until it can";
                          known(false);
                      } else {
                          operation->fail(saved.error());
                      }
                      return;
                  }
                  whenReady(self->m_storage->accounts().put(record, metadata), operation,
                            [self, operation, known](const VoidResult &stored) {
                                if (!self || !operation->isRunning())
                                    return;
                                if (!stored.ok()) {
                                    if (self->noteKeychainError(stored.error()))
                                        known(false);
                                    else
                                        operation->fail(stored.error());
                                    return;
                                }
                                known(true);
                            });
              });
}

QFuture<VoidResult> AccountService::remove(const QString &id)
{
    const auto entry = account(id);
    if (!entry)
        return ready(VoidResult(Done{}));
    if (InteractiveBrowserCredential *credential = m_credentials.value(id))
        retireCredential(credential);
    m_attention.remove(id);
    // A removed account does not stay behind for the Azure tools either.
    if (entry->stored.metadata.shareWithAzureTools)
        queueSharedCacheJob(entry->record(), false);
    QFuture<VoidResult> removed = m_storage->removeAccount(entry->record());
    whenReady(removed, this, [this](const VoidResult &) { reload(); });
    return removed;
}

QFuture<VoidResult> AccountService::setDefault(const QString &id)
{
    const auto entry = account(id);
    if (!entry)
        return ready(VoidResult(AuthError::unavailable(tr("This account is not signed in."))));
    AccountMetadata metadata = entry->stored.metadata;
    metadata.isDefault = true;
    QFuture<VoidResult> stored = m_storage->accounts().put(entry->record(), metadata);
    whenReady(stored, this, [this](const VoidResult &) { reload(); });
    return stored;
}

QFuture<Result<int>> AccountService::importRecords(const QByteArray &json,
                                                   const QStringList &confirmedAuthorities)
{
    const Result<QList<AuthenticationRecord>> parsed = parseRecords(json);
    if (!parsed.ok())
        return ready(Result<int>(parsed.error()));
    const QList<AuthenticationRecord> &records = parsed.value();
    // One change of the account list for all of them (the index and the summaries written once).
    const ImportSettings settings{m_http.caBundleFile, false, confirmedAuthorities};
    QList<StoredAccount> batch;
    for (const AuthenticationRecord &record : records)
        batch << StoredAccount{record, metadataForImport(record, m_stored, settings)};
    const int count = static_cast<int>(records.size());
    QFuture<Result<int>> imported =
        m_storage->accounts().putAll(batch).then(QtFuture::Launch::Sync, [count](const VoidResult &stored) {
            return stored.ok() ? Result<int>(count) : Result<int>(stored.error());
        });
    whenReady(imported, this, [this](const Result<int> &) { reload(); });
    return imported;
}

bool AccountService::canShareWithAzureTools() const
{
    return m_storage->tokenPersistence() != ProfileStorage::TokenPersistence::MemoryOnly;
}

QString AccountService::shareWithAzureToolsUnavailableReason() const
{
    if (canShareWithAzureTools())
        return {};
    return tr("Azid runs in memory-only mode: it writes no tokens anywhere, so it cannot share them "
              "with the Azure tools either. Turn memory-only mode off in Settings to use this.");
}

QFuture<VoidResult> AccountService::setShareWithAzureTools(const QString &id, bool share)
{
    const auto entry = account(id);
    if (!entry)
        return ready(VoidResult(AuthError::unavailable(tr("This account is not signed in any more."))));
    if (share && !canShareWithAzureTools()) {
        const QString why = shareWithAzureToolsUnavailableReason();
        emit sharedCacheFailed(id, why);
        return ready(VoidResult(AuthError::unavailable(why)));
    }
    const AuthenticationRecord record = entry->record();
    const AccountMetadata previous = entry->stored.metadata;
    AccountMetadata metadata = previous;
    metadata.shareWithAzureTools = share;
    // Shown at once; put back if it cannot be saved.
    const auto apply = [this, id](const AccountMetadata &value) {
        for (StoredAccount &stored : m_stored) {
            if (stored.record.homeAccountId == id)
                stored.metadata = value;
        }
        rebuildEntries();
        emit accountsChanged();
    };
    apply(metadata);

    auto promise = std::make_shared<QPromise<VoidResult>>();
    promise->start();
    whenReady(m_storage->accounts().put(record, metadata), this,
              [this, id, record, share, previous, apply, promise](const VoidResult &stored) {
                  if (!stored.ok()) {
                      apply(previous);
                      emit sharedCacheFailed(
                          id, tr("The setting \"Share with Azure tools\" of %1 could not be saved: %2 "
                                 "Nothing was changed; try again once the keychain is available.")
                                  .arg(record.username, stored.error().message));
                      promise->addResult(stored);
                      promise->finish();
                      return;
                  }
                  queueSharedCacheJob(record, share, promise);
              });
    return promise->future();
}

void AccountService::publishIfShared(const QString &id)
{
    const auto entry = account(id);
    if (entry && entry->stored.metadata.shareWithAzureTools && canShareWithAzureTools())
        queueSharedCacheJob(entry->record(), true);
}

void AccountService::queueSharedCacheJob(const AuthenticationRecord &record, bool share,
                                         std::shared_ptr<QPromise<VoidResult>> promise)
{
    // A job still waiting for the same account does what is asked now instead: one write, the last word.
    auto it = std::find_if(
        m_sharedCacheJobs.begin(), m_sharedCacheJobs.end(),
        [&record](const SharedCacheJob &job) { return job.record.homeAccountId == record.homeAccountId; });
    if (it == m_sharedCacheJobs.end())
        it = m_sharedCacheJobs.insert(m_sharedCacheJobs.end(), SharedCacheJob{});
    it->record = record;
    it->share = share;
    if (promise)
        it->waiting << promise;
    runSharedCacheJob();
}

void AccountService::runSharedCacheJob()
{
    if (m_sharedCacheJobRunning || m_sharedCacheJobs.isEmpty())
        return;
    m_sharedCacheJobRunning = true;
    const SharedCacheJob job = m_sharedCacheJobs.takeFirst();
    whenReady(updateSharedCache(*m_storage, job.record, job.share, this, m_sharedCacheDirectory), this,
              [this, job](const SharedCacheUpdate &update) { finishSharedCacheJob(job, update); });
}

void AccountService::finishSharedCacheJob(const SharedCacheJob &job, const SharedCacheUpdate &update)
{
    m_sharedCacheJobRunning = false;
    const QString &id = job.record.homeAccountId;
    for (const QString &warning : update.warnings)
        emit sharedCacheWarning(warning);
    const VoidResult &result = update.result;
    if (result.ok()) {
        qCInfo(lcModel).noquote() << (job.share ? "shared with the Azure tools:" : "no longer shared:")
                                  << job.record.username;
        emit sharedCacheUpdated(id, job.share);
    } else {
        qCWarning(lcModel).noquote() << "could not change the shared token cache:" << result.error().message;
        emit sharedCacheFailed(id, sharedCacheFailureText(result.error(), job.share, job.record.username));
    }
    for (const auto &promise : job.waiting) {
        promise->addResult(result);
        promise->finish();
    }
    runSharedCacheJob();
}

} // namespace azid::model
