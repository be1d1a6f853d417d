// GLib and libsecret come first: Qt's "signals" keyword would break GIO's headers.
#ifdef AZID_HAVE_LIBSECRET
#include <libsecret/secret.h>
#endif

#include "libsecretclient.h"

#include "azid/keychain/storagefailure.h"
#include "azid/readyfuture.h"
#include "keychainerrors.h"
#include "keychainlogging.h"

#include <QPromise>
#include <QTimer>

namespace azid::detail::libsecret {

namespace {

QString describe(const char *operation, const Item &item)
{
    return QStringLiteral("%1 the Secret Service item of schema '%2'")
        .arg(QLatin1String(operation), item.schema);
}

AuthError failure(StorageFailure reason, const QString &context, const QString &detail)
{
    QString message = keychainAdvice(reason) + QStringLiteral(" (") + context;
    if (!detail.isEmpty())
        message += QStringLiteral(": ") + detail;
    return storageError(reason, message + QLatin1Char(')'));
}

} // namespace

#ifdef AZID_HAVE_LIBSECRET

namespace {

// One call to libsecret: whichever comes first, its answer or the timeout, settles the future; the
// other is ignored. libsecret owns one reference to it (the callback's user data) until it answers.
template <typename T> struct PendingCall
{
    QPromise<T> promise;
    bool settled = false;
    QString context; // what was attempted, for messages
    std::shared_ptr<void> keepAlive;

    void settle(T value)
    {
        if (settled)
            return;
        settled = true;
        promise.addResult(std::move(value));
        promise.finish();
    }
};

template <typename T> using Pending = std::shared_ptr<PendingCall<T>>;

// Starts the timeout and hands libsecret its reference.
template <typename T> gpointer begin(const Pending<T> &pending, std::chrono::milliseconds timeout)
{
    pending->promise.start();
    std::weak_ptr<PendingCall<T>> weak = pending;
    QTimer::singleShot(timeout, [weak, timeout] {
        if (auto call = weak.lock(); call && !call->settled) {
            qCWarning(lcKeychain).noquote()
                << QStringLiteral(
                       "the Secret Service did not answer in time (%1); the call is left to finish on "
                       "its own")
                       .arg(call->context);
            call->settle(storageError(StorageFailure::KeychainTimeout, timeoutMessage(timeout) +
                                                                           QStringLiteral(" (") +
                                                                           call->context + QLatin1Char(')')));
        }
    });
    return new Pending<T>(pending);
}

// Takes libsecret's reference back in the callback.
template <typename T> Pending<T> end(gpointer data)
{
    auto *holder = static_cast<Pending<T> *>(data);
    Pending<T> pending = std::move(*holder);
    delete holder;
    return pending;
}

StorageFailure reasonOf(const GError *error)
{
    if (error->domain == SECRET_ERROR) {
        if (error->code == SECRET_ERROR_IS_LOCKED)
            return StorageFailure::KeychainLocked;
    } else if (error->domain == G_DBUS_ERROR) {
        switch (error->code) {
        case G_DBUS_ERROR_SERVICE_UNKNOWN:
        case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
        case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
        case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
        case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
        case G_DBUS_ERROR_DISCONNECTED:
            return StorageFailure::KeychainUnavailable;
        case G_DBUS_ERROR_ACCESS_DENIED:
        case G_DBUS_ERROR_AUTH_FAILED:
            return StorageFailure::KeychainAccessDenied;
        case G_DBUS_ERROR_NO_REPLY:
        case G_DBUS_ERROR_TIMEOUT:
        case G_DBUS_ERROR_TIMED_OUT:
            return StorageFailure::KeychainTimeout;
        case G_DBUS_ERROR_UNKNOWN_OBJECT:
            return StorageFailure::KeychainLocked; // no default collection to store into
        default:
            break;
        }
    } else if (error->domain == G_IO_ERROR) {
        if (error->code == G_IO_ERROR_CANCELLED)
            return StorageFailure::KeychainAccessDenied; // a dismissed prompt
        if (error->code == G_IO_ERROR_TIMED_OUT)
            return StorageFailure::KeychainTimeout;
        if (error->code == G_IO_ERROR_CLOSED)
            return StorageFailure::KeychainUnavailable;
    }
    return classifyKeychainMessage(QString::fromUtf8(error->message));
}

// Frees what libsecret hands back.
struct SchemaDeleter
{
    void operator()(SecretSchema *schema) const { secret_schema_unref(schema); }
};
using SchemaPtr = std::unique_ptr<SecretSchema, SchemaDeleter>;

struct HashTableDeleter
{
    void operator()(GHashTable *table) const { g_hash_table_unref(table); }
};
using HashTablePtr = std::unique_ptr<GHashTable, HashTableDeleter>;

SchemaPtr schemaFor(const Item &item)
{
    HashTablePtr types(g_hash_table_new_full(g_str_hash, g_str_equal, g_free, nullptr));
    for (const auto &[name, value] : item.attributes) {
        Q_UNUSED(value)
        g_hash_table_insert(types.get(), g_strdup(name.toUtf8().constData()),
                            GINT_TO_POINTER(SECRET_SCHEMA_ATTRIBUTE_STRING));
    }
    return SchemaPtr(secret_schema_newv(item.schema.toUtf8().constData(), SECRET_SCHEMA_NONE, types.get()));
}

HashTablePtr attributesFor(const Item &item)
{
    HashTablePtr attributes(g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free));
    for (const auto &[name, value] : item.attributes) {
        g_hash_table_insert(attributes.get(), g_strdup(name.toUtf8().constData()),
                            g_strdup(value.toUtf8().constData()));
    }
    return attributes;
}

struct ErrorHolder
{
    GError *error = nullptr;
    ~ErrorHolder()
    {
        if (error)
            g_error_free(error);
    }
};

} // namespace

bool isCompiledIn()
{
    return true;
}

using LookupResult = Result<std::optional<Secret>>;

namespace {
QFuture<LookupResult> lookupOnce(const Item &item, std::chrono::milliseconds timeout);
}

QFuture<LookupResult> lookup(const Item &item, std::chrono::milliseconds timeout)
{
    // "Nothing" also means "locked and no prompt could unlock it": believed only once checked.
    const auto attributes = item.attributes;
    const QString context = describe("reading", item);
    return lookupOnce(item, timeout)
        .then(QtFuture::Launch::Sync,
              [attributes, timeout, context](const LookupResult &found) -> QFuture<LookupResult> {
                  if (!found || found.value())
                      return ready(found);
                  return confirmAbsent(attributes, timeout)
                      .then(QtFuture::Launch::Sync, [context](const VoidResult &open) -> LookupResult {
                          if (!open)
                              return failure(storageFailure(open.error()), context,
                                             QStringLiteral("the keychain answered \"not found\" while it is "
                                                            "locked; nothing was changed"));
                          return std::optional<Secret>();
                      });
              })
        .unwrap();
}

namespace {
QFuture<LookupResult> lookupOnce(const Item &item, std::chrono::milliseconds timeout)
{
    auto pending = std::make_shared<PendingCall<LookupResult>>();
    pending->context = describe("reading", item);
    auto future = pending->promise.future();
    gpointer data = begin(pending, timeout);
    const SchemaPtr schema = schemaFor(item);
    const HashTablePtr attributes = attributesFor(item);
    secret_password_lookupv(
        schema.get(), attributes.get(), nullptr,
        [](GObject *, GAsyncResult *result, gpointer userData) {
            const auto call = end<LookupResult>(userData);
            ErrorHolder error;
            gchar *password = secret_password_lookup_finish(result, &error.error);
            if (error.error) {
                call->settle(
                    failure(reasonOf(error.error), call->context, QString::fromUtf8(error.error->message)));
            } else if (!password) {
                call->settle(std::optional<Secret>());
            } else {
                QByteArray bytes(password);
                secret_password_free(password);
                Secret secret(bytes);
                scrub(bytes);
                call->settle(std::optional<Secret>(std::move(secret)));
            }
        },
        data);
    return future;
}

} // namespace

QFuture<VoidResult> store(const Item &item, const QString &label, const Secret &value,
                          std::chrono::milliseconds timeout, std::shared_ptr<void> keepAlive)
{
    auto pending = std::make_shared<PendingCall<VoidResult>>();
    pending->keepAlive = std::move(keepAlive);
    pending->context = describe("writing", item);
    auto future = pending->promise.future();
    gpointer data = begin(pending, timeout);
    const SchemaPtr schema = schemaFor(item);
    const HashTablePtr attributes = attributesFor(item);
    QByteArray password = value.reveal();
    secret_password_storev(
        schema.get(), attributes.get(), SECRET_COLLECTION_DEFAULT, label.toUtf8().constData(),
        password.constData(), nullptr,
        [](GObject *, GAsyncResult *result, gpointer userData) {
            const auto call = end<VoidResult>(userData);
            ErrorHolder error;
            const gboolean stored = secret_password_store_finish(result, &error.error);
            if (error.error)
                call->settle(
                    failure(reasonOf(error.error), call->context, QString::fromUtf8(error.error->message)));
            else if (!stored)
                call->settle(failure(StorageFailure::KeychainFailed, call->context, QString()));
            else
                call->settle(Done{});
            call->keepAlive.reset(); // the write has really finished: let go of the lock
        },
        data);
    scrub(password);
    return future;
}

QFuture<VoidResult> clear(const Item &item, std::chrono::milliseconds timeout)
{
    auto pending = std::make_shared<PendingCall<VoidResult>>();
    pending->context = describe("deleting", item);
    auto future = pending->promise.future();
    gpointer data = begin(pending, timeout);
    const SchemaPtr schema = schemaFor(item);
    const HashTablePtr attributes = attributesFor(item);
    secret_password_clearv(
        schema.get(), attributes.get(), nullptr,
        [](GObject *, GAsyncResult *result, gpointer userData) {
            const auto call = end<VoidResult>(userData);
            ErrorHolder error;
            secret_password_clear_finish(result, &error.error);
            if (error.error)
                call->settle(
                    failure(reasonOf(error.error), call->context, QString::fromUtf8(error.error->message)));
            else
                call->settle(Done{});
        },
        data);
    return future;
}

using StateResult = Result<CollectionState>;

QFuture<StateResult> defaultCollectionState(std::chrono::milliseconds timeout)
{
    auto pending = std::make_shared<PendingCall<StateResult>>();
    pending->context = QStringLiteral("asking the Secret Service about its default collection");
    auto future = pending->promise.future();
    gpointer data = begin(pending, timeout);
    secret_service_get(
        SECRET_SERVICE_NONE, nullptr,
        [](GObject *, GAsyncResult *result, gpointer userData) {
            ErrorHolder error;
            SecretService *service = secret_service_get_finish(result, &error.error);
            if (!service) {
                const auto call = end<StateResult>(userData);
                call->settle(failure(
                    error.error ? reasonOf(error.error) : StorageFailure::KeychainUnavailable, call->context,
                    error.error ? QString::fromUtf8(error.error->message) : QString()));
                return;
            }
            // Not even a look-up needs the default collection unlocked, so no prompt is shown.
            secret_collection_for_alias(
                service, "default", SECRET_COLLECTION_NONE, nullptr,
                [](GObject *, GAsyncResult *aliasResult, gpointer aliasData) {
                    const auto call = end<StateResult>(aliasData);
                    ErrorHolder aliasError;
                    SecretCollection *collection =
                        secret_collection_for_alias_finish(aliasResult, &aliasError.error);
                    if (aliasError.error) {
                        call->settle(failure(reasonOf(aliasError.error), call->context,
                                             QString::fromUtf8(aliasError.error->message)));
                    } else if (!collection) {
                        call->settle(CollectionState::Missing);
                    } else {
                        const bool locked = secret_collection_get_locked(collection);
                        g_object_unref(collection);
                        call->settle(locked ? CollectionState::Locked : CollectionState::Unlocked);
                    }
                },
                userData);
            g_object_unref(service);
        },
        data);
    return future;
}

namespace {

// What confirmAbsent() carries from one libsecret call to the next.
struct AbsenceCheck
{
    gpointer call = nullptr; // libsecret's reference to the PendingCall (see begin/end)
    SecretService *service = nullptr;
    HashTablePtr attributes;
    // What withService() runs once it has the Secret Service.
    void (*next)(std::unique_ptr<AbsenceCheck>) = nullptr;

    ~AbsenceCheck()
    {
        if (service)
            g_object_unref(service);
    }
};

// Gets the Secret Service (no session, no prompt), then runs check->next; settles the call with the
// error when there is none to get.
void withService(std::unique_ptr<AbsenceCheck> check)
{
    secret_service_get(
        SECRET_SERVICE_NONE, nullptr,
        [](GObject *, GAsyncResult *result, gpointer data) {
            std::unique_ptr<AbsenceCheck> got(static_cast<AbsenceCheck *>(data));
            ErrorHolder error;
            got->service = secret_service_get_finish(result, &error.error);
            if (!got->service) {
                const auto call = end<VoidResult>(got->call);
                call->settle(failure(
                    error.error ? reasonOf(error.error) : StorageFailure::KeychainUnavailable, call->context,
                    error.error ? QString::fromUtf8(error.error->message) : QString()));
                return;
            }
            got->next(std::move(got));
        },
        check.release());
}

AuthError lockedAbsence(const QString &context, const QString &why)
{
    return failure(StorageFailure::KeychainLocked, context, why);
}

void checkDefaultCollection(std::unique_ptr<AbsenceCheck> pending)
{
    SecretService *service = pending->service;
    secret_collection_for_alias(
        service, "default", SECRET_COLLECTION_NONE, nullptr,
        [](GObject *, GAsyncResult *result, gpointer data) {
            std::unique_ptr<AbsenceCheck> owned(static_cast<AbsenceCheck *>(data));
            const auto call = end<VoidResult>(owned->call);
            ErrorHolder error;
            SecretCollection *collection = secret_collection_for_alias_finish(result, &error.error);
            if (error.error) {
                call->settle(
                    failure(reasonOf(error.error), call->context, QString::fromUtf8(error.error->message)));
                return;
            }
            if (!collection) {
                call->settle(Done{}); // no default collection: nothing was ever stored into it
                return;
            }
            const bool locked = secret_collection_get_locked(collection);
            g_object_unref(collection);
            if (locked) {
                call->settle(
                    lockedAbsence(call->context, QStringLiteral("the item was not found while the default "
                                                                "collection is locked")));
            } else {
                call->settle(Done{});
            }
        },
        pending.release());
}

void searchMatchingItems(std::unique_ptr<AbsenceCheck> check)
{
    // Every matching item, locked or not, without unlocking anything (no prompt): gnome-keyring lists
    // the items of locked collections by their attributes.
    SecretService *service = check->service;
    GHashTable *query = check->attributes.get();
    secret_service_search(
        service, nullptr, query, SECRET_SEARCH_ALL, nullptr,
        [](GObject *source, GAsyncResult *searchResult, gpointer searchData) {
            std::unique_ptr<AbsenceCheck> searched(static_cast<AbsenceCheck *>(searchData));
            ErrorHolder searchError;
            GList *found =
                secret_service_search_finish(SECRET_SERVICE(source), searchResult, &searchError.error);
            if (searchError.error) {
                const auto call = end<VoidResult>(searched->call);
                call->settle(failure(reasonOf(searchError.error), call->context,
                                     QString::fromUtf8(searchError.error->message)));
                return;
            }
            bool lockedMatch = false;
            for (GList *node = found; node; node = node->next)
                lockedMatch = lockedMatch || secret_item_get_locked(SECRET_ITEM(node->data));
            g_list_free_full(found, g_object_unref);
            if (lockedMatch) {
                const auto call = end<VoidResult>(searched->call);
                call->settle(
                    lockedAbsence(call->context, QStringLiteral("the item exists in a locked collection")));
                return;
            }
            checkDefaultCollection(std::move(searched));
        },
        check.release());
}

} // namespace

QFuture<VoidResult> confirmAbsent(const QList<QPair<QString, QString>> &attributes,
                                  std::chrono::milliseconds timeout)
{
    auto pending = std::make_shared<PendingCall<VoidResult>>();
    pending->context = QStringLiteral("checking whether the keychain is open");
    auto future = pending->promise.future();
    auto check = std::make_unique<AbsenceCheck>();
    check->call = begin(pending, timeout);
    check->attributes = attributesFor(Item{QString(), attributes});
    check->next = &searchMatchingItems;
    withService(std::move(check));
    return future;
}

namespace {

void unlockDefault(std::unique_ptr<AbsenceCheck> check)
{
    SecretService *service = check->service;
    secret_collection_for_alias(
        service, "default", SECRET_COLLECTION_NONE, nullptr,
        [](GObject *, GAsyncResult *aliasResult, gpointer aliasData) {
            std::unique_ptr<AbsenceCheck> aliased(static_cast<AbsenceCheck *>(aliasData));
            ErrorHolder aliasError;
            SecretCollection *collection = secret_collection_for_alias_finish(aliasResult, &aliasError.error);
            if (aliasError.error || !collection) {
                const auto call = end<VoidResult>(aliased->call);
                call->settle(failure(
                    aliasError.error ? reasonOf(aliasError.error) : StorageFailure::KeychainLocked,
                    call->context,
                    aliasError.error ? QString::fromUtf8(aliasError.error->message)
                                     : QStringLiteral("the Secret Service has no default collection")));
                return;
            }
            GList *objects = g_list_append(nullptr, collection);
            SecretService *owner = aliased->service;
            // Shows the keychain's own unlock prompt; the answer says whether it was unlocked.
            secret_service_unlock(
                owner, objects, nullptr,
                [](GObject *source, GAsyncResult *unlockResult, gpointer unlockData) {
                    std::unique_ptr<AbsenceCheck> unlocking(static_cast<AbsenceCheck *>(unlockData));
                    const auto call = end<VoidResult>(unlocking->call);
                    ErrorHolder unlockError;
                    GList *unlocked = nullptr;
                    const gint count = secret_service_unlock_finish(SECRET_SERVICE(source), unlockResult,
                                                                    &unlocked, &unlockError.error);
                    g_list_free_full(unlocked, g_object_unref);
                    if (unlockError.error) {
                        call->settle(failure(reasonOf(unlockError.error), call->context,
                                             QString::fromUtf8(unlockError.error->message)));
                    } else if (count < 1) {
                        call->settle(
                            failure(StorageFailure::KeychainLocked, call->context,
                                    QStringLiteral("the unlock prompt was dismissed or could not be shown")));
                    } else {
                        call->settle(Done{});
                    }
                },
                aliased.release());
            g_list_free(objects);
            g_object_unref(collection);
        },
        check.release());
}

} // namespace

QFuture<VoidResult> unlockDefaultCollection(std::chrono::milliseconds timeout)
{
    auto pending = std::make_shared<PendingCall<VoidResult>>();
    pending->context = QStringLiteral("unlocking the Secret Service's default collection");
    auto future = pending->promise.future();
    auto check = std::make_unique<AbsenceCheck>();
    check->call = begin(pending, timeout);
    check->next = &unlockDefault;
    withService(std::move(check));
    return future;
}

#else // no libsecret on this system

namespace {
AuthError notHere(const QString &context)
{
    return failure(StorageFailure::KeychainUnavailable, context,
                   QStringLiteral("this build has no libsecret (it is only used on Linux)"));
}
} // namespace

bool isCompiledIn()
{
    return false;
}

QFuture<Result<std::optional<Secret>>> lookup(const Item &item, std::chrono::milliseconds)
{
    return ready(Result<std::optional<Secret>>(notHere(describe("reading", item))));
}

QFuture<VoidResult> store(const Item &item, const QString &, const Secret &, std::chrono::milliseconds,
                          std::shared_ptr<void>)
{
    return ready(VoidResult(notHere(describe("writing", item))));
}

QFuture<VoidResult> clear(const Item &item, std::chrono::milliseconds)
{
    return ready(VoidResult(notHere(describe("deleting", item))));
}

QFuture<Result<CollectionState>> defaultCollectionState(std::chrono::milliseconds)
{
    return ready(Result<CollectionState>(notHere(QStringLiteral("asking the Secret Service"))));
}

QFuture<VoidResult> confirmAbsent(const QList<QPair<QString, QString>> &, std::chrono::milliseconds)
{
    return ready(VoidResult(notHere(QStringLiteral("checking whether the keychain is open"))));
}

QFuture<VoidResult> unlockDefaultCollection(std::chrono::milliseconds)
{
    return ready(VoidResult(notHere(QStringLiteral("unlocking the Secret Service"))));
}

#endif

} // namespace azid::detail::libsecret
