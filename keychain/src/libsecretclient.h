#pragma once

#include "azid/result.h"
#include "azid/secret.h"

#include <QFuture>
#include <QList>
#include <QPair>
#include <QString>

#include <chrono>
#include <memory>
#include <optional>

namespace azid::detail::libsecret {

// libsecret's password API with a schema and attributes chosen at run time, which QtKeychain (fixed
// to its own "org.qt.keychain" schema) cannot do. Asynchronous: libsecret answers through the GLib
// main context, which Qt's event loop runs on the main thread (Qt's default GLib event dispatcher),
// so call these from the main thread. An operation not answered within `timeout` reports
// StorageFailure::KeychainTimeout; it is left to finish on its own and its late answer is ignored
// (`keepAlive` is held until then).
//
// Errors are CredentialUnavailable with a StorageFailure reason. Without libsecret (other systems),
// every call reports KeychainUnavailable.

struct Item
{
    QString schema;                            // schema name; matched on look-up (SECRET_SCHEMA_NONE)
    QList<QPair<QString, QString>> attributes; // string attributes
};

bool isCompiledIn();

// The item's secret, or an empty optional when there is none.
QFuture<Result<std::optional<Secret>>> lookup(const Item &item, std::chrono::milliseconds timeout);
// Creates or replaces the item in the default collection.
QFuture<VoidResult> store(const Item &item, const QString &label, const Secret &value,
                          std::chrono::milliseconds timeout, std::shared_ptr<void> keepAlive = {});
// Deletes the item; deleting nothing succeeds.
QFuture<VoidResult> clear(const Item &item, std::chrono::milliseconds timeout);

enum class CollectionState {
    Unlocked, // usable
    Locked,   // exists, locked: writes need an unlock (a prompt, or the login password)
    Missing,  // the Secret Service has no default collection
};
// Asks the Secret Service about its default collection without unlocking anything (no prompt).
QFuture<Result<CollectionState>> defaultCollectionState(std::chrono::milliseconds timeout);

// Whether "not found" for the item with these attributes can be believed: succeeds when no item of any
// collection matches them and the default collection (where new items go) is not locked; fails with
// KeychainLocked otherwise. Unlocks nothing and shows no prompt. libsecret answers a look-up of an item
// in a locked collection that it cannot unlock (no prompt possible, or dismissed) with "nothing".
QFuture<VoidResult> confirmAbsent(const QList<QPair<QString, QString>> &attributes,
                                  std::chrono::milliseconds timeout);

// Asks the Secret Service to unlock its default collection, which shows the keychain's own prompt.
// Fails with KeychainLocked when the prompt was dismissed or could not be shown.
QFuture<VoidResult> unlockDefaultCollection(std::chrono::milliseconds timeout);

} // namespace azid::detail::libsecret
