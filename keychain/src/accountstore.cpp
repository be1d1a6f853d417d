#include "azid/keychain/accountstore.h"

#include "accountsummaries.h"
#include "atomicfile.h"
#include "azid/keychain/storagefailure.h"
#include "azid/readyfuture.h"
#include "filelock.h"
#include "keychainlogging.h"
#include "operationqueue.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QSet>

#include <functional>

namespace azid {

namespace {

constexpr int FormatVersion = 1;

// The index: which accounts exist, in order, and which one is the default.
struct Index
{
    QStringList ids;
    QString defaultId;
    int pages = 0; // as stored: how many index items exist

    bool sameContents(const Index &other) const { return ids == other.ids && defaultId == other.defaultId; }
};

bool isValidHomeAccountId(const QString &id)
{
    if (id.isEmpty() || id.size() > 256)
        return false;
    for (QChar c : id) {
        if (c.unicode() < 0x21 || c.unicode() > 0x7e)
            return false;
    }
    return true;
}

Secret toItem(const QJsonObject &object)
{
    return Secret(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

std::optional<QJsonObject> fromItem(const Secret &item)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(item.reveal(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

Secret accountItem(const AuthenticationRecord &record, const AccountMetadata &metadata)
{
    return toItem(detail::accountObject(StoredAccount{record, metadata}));
}

std::optional<StoredAccount> parseAccountItem(const Secret &item)
{
    const auto object = fromItem(item);
    if (!object)
        return std::nullopt;
    return detail::parseAccountObject(*object);
}

// What the summary items held when they were read: the accounts (empty when they are missing, damaged
// or incomplete) and how many pages there were.
struct Summaries
{
    bool valid = false;
    QString stamp;
    QList<StoredAccount> accounts;
    QList<Secret> items; // as read, to write only what changes
};

QStringList idsOf(const QJsonObject &page)
{
    QStringList ids;
    for (const QJsonValue &value : page.value(QStringLiteral("accounts")).toArray()) {
        if (value.isString() && isValidHomeAccountId(value.toString()))
            ids << value.toString();
    }
    return ids;
}

// The index as items no larger than the store allows. The first page also says how many there are.
Result<QList<Secret>> indexPages(const Index &index)
{
    const auto page = [](const QStringList &ids, int number, int count, const QString &defaultId) {
        QJsonObject object;
        if (number == 0) {
            object.insert(QStringLiteral("version"), FormatVersion);
            object.insert(QStringLiteral("pages"), count);
            object.insert(QStringLiteral("default"), defaultId);
        }
        object.insert(QStringLiteral("accounts"), QJsonArray::fromStringList(ids));
        return toItem(object);
    };
    // Leave room for the page count growing by a digit or two.
    const qsizetype limit = SecretStore::MaxItemSize - 8;
    QList<QStringList> groups{{}};
    for (const QString &id : index.ids) {
        QStringList candidate = groups.last() + QStringList{id};
        if (page(candidate, int(groups.size() - 1), 1, index.defaultId).size() <= limit) {
            groups.last() = candidate;
        } else {
            if (groups.last().isEmpty()) {
                return storageError(
                    StorageFailure::ItemTooLarge,
                    QStringLiteral("The account id '%1' is too long for the keychain.").arg(id));
            }
            groups.append(QStringList{id});
        }
    }
    QList<Secret> pages;
    for (int i = 0; i < groups.size(); ++i)
        pages << page(groups.at(i), i, int(groups.size()), index.defaultId);
    return pages;
}

} // namespace

struct AccountStore::State : std::enable_shared_from_this<State>
{
    std::shared_ptr<SecretStore> store;
    QString lockPath;
    detail::OperationQueue queue;

    // Runs `change` (a read-modify-write of the index) under the cross-process lock, if there is one.
    QFuture<VoidResult> locked(std::function<QFuture<VoidResult>()> change);

    QFuture<Result<Index>> readIndex();
    QFuture<VoidResult> writeIndex(const Index &index, int previousPages);
    QFuture<Result<QList<StoredAccount>>> list();
    QFuture<Result<Summaries>> readSummaries();
    // The accounts of `index`, from `summaries` where they are current, else from their items.
    QFuture<Result<QList<StoredAccount>>> accountsOf(const Index &index, const Summaries &summaries);
    // After a change of the index from `before` to `after`: writes the summaries of the accounts in
    // `after`, with `changed` as given, the others as the summaries of `before` say (or their items).
    QFuture<VoidResult> updateSummaries(const Index &before, const Index &after,
                                        const QList<StoredAccount> &changed);
    QFuture<VoidResult> writeSummaries(const QList<StoredAccount> &accounts, const QString &stamp,
                                       const QList<Secret> &previous);
    QFuture<VoidResult> putAll(const QList<StoredAccount> &accounts);
    QFuture<VoidResult> remove(const QString &homeAccountId);
    QFuture<VoidResult> putLocked(const QList<StoredAccount> &accounts);
    QFuture<VoidResult> removeLocked(const QString &homeAccountId);
    // Adds `ids` to (add) or takes them from (!add) the user-name item of `username`.
    QFuture<VoidResult> updateUserItem(const QString &username, const QStringList &ids, bool add);
    // Adds each account to the user-name item of its user name, one read and write per name.
    QFuture<VoidResult> addUserItems(const QList<StoredAccount> &accounts);
    QFuture<Result<std::optional<StoredAccount>>> find(const QString &selector);
    QFuture<Result<std::optional<StoredAccount>>> readAccount(const QString &id, const QString &defaultId);
};

namespace {

// The first error among finished futures of results, if any.
template <typename T> std::optional<AuthError> firstError(const QList<QFuture<T>> &futures)
{
    for (const auto &future : futures) {
        const T result = future.result();
        if (!result)
            return result.error();
    }
    return std::nullopt;
}

// Runs steps[next...] one after another, stopping at the first error. A keychain answers one request
// at a time and each request waits at most its own timeout from when it is sent: a batch of many
// items sent at once would time out in the queue.
using Step = std::function<QFuture<VoidResult>()>;
QFuture<VoidResult> inSequence(std::shared_ptr<const QList<Step>> steps, qsizetype next = 0)
{
    if (next == steps->size())
        return ready(VoidResult(Done{}));
    return steps->at(next)()
        .then(QtFuture::Launch::Sync,
              [steps, next](const VoidResult &done) -> QFuture<VoidResult> {
                  if (!done)
                      return ready(done);
                  return inSequence(steps, next + 1);
              })
        .unwrap();
}

} // namespace

QFuture<Result<Index>> AccountStore::State::readIndex()
{
    auto self = shared_from_this();
    return store->read(indexKey(0))
        .then([self](const SecretResult &first) -> QFuture<Result<Index>> {
            if (!first)
                return ready(Result<Index>(first.error()));
            Index index;
            if (!first.value())
                return ready(Result<Index>(index));
            const auto object = fromItem(*first.value());
            if (!object) {
                qCWarning(lcKeychain) << "the account index item" << indexKey(0) << "is damaged; ignoring it";
                return ready(Result<Index>(index));
            }
            index.ids = idsOf(*object);
            index.defaultId = object->value(QStringLiteral("default")).toString();
            index.pages = qBound(1, object->value(QStringLiteral("pages")).toInt(1), 1000);
            QList<QFuture<SecretResult>> reads;
            for (int page = 1; page < index.pages; ++page)
                reads << self->store->read(indexKey(page));
            return QtFuture::whenAll(reads.begin(), reads.end())
                .then([index](const QList<QFuture<SecretResult>> &pages) mutable -> Result<Index> {
                    if (auto error = firstError(pages))
                        return *error;
                    for (int i = 0; i < pages.size(); ++i) {
                        const SecretResult page = pages.at(i).result();
                        const auto parsed = page.value() ? fromItem(*page.value()) : std::nullopt;
                        if (!parsed) {
                            qCWarning(lcKeychain) << "the account index item" << indexKey(i + 1)
                                                  << "is missing or damaged; its accounts are not listed";
                            continue;
                        }
                        index.ids << idsOf(*parsed);
                    }
                    index.ids.removeDuplicates();
                    return index;
                });
        })
        .unwrap();
}

QFuture<VoidResult> AccountStore::State::writeIndex(const Index &index, int previousPages)
{
    const auto pages = indexPages(index);
    if (!pages)
        return ready(VoidResult(pages.error()));
    const QList<Secret> items = pages.value();
    // The later pages first, then the first one, which says how many there are, then what is left over.
    QList<QFuture<VoidResult>> writes;
    for (int page = 1; page < items.size(); ++page)
        writes << store->write(indexKey(page), items.at(page));
    auto self = shared_from_this();
    const int newPages = int(items.size());
    return QtFuture::whenAll(writes.begin(), writes.end())
        .then(
            [self, first = items.first()](const QList<QFuture<VoidResult>> &results) -> QFuture<VoidResult> {
                if (auto error = firstError(results))
                    return ready(VoidResult(*error));
                return self->store->write(indexKey(0), first);
            })
        .unwrap()
        .then([self, newPages, previousPages](const VoidResult &written) -> QFuture<VoidResult> {
            if (!written)
                return ready(written);
            QList<QFuture<VoidResult>> removals;
            for (int page = newPages; page < previousPages; ++page)
                removals << self->store->remove(indexKey(page));
            return QtFuture::whenAll(removals.begin(), removals.end())
                .then([](const QList<QFuture<VoidResult>> &results) -> VoidResult {
                    if (auto error = firstError(results))
                        return *error;
                    return Done{};
                });
        })
        .unwrap();
}

QFuture<VoidResult> AccountStore::State::locked(std::function<QFuture<VoidResult>()> change)
{
    if (lockPath.isEmpty())
        return change();
    if (const std::optional<QString> problem = detail::ensureDirectory(QFileInfo(lockPath).absolutePath())) {
        return ready(VoidResult(storageError(
            StorageFailure::FileError, QStringLiteral("Cannot change the account list: %1.").arg(*problem))));
    }
    return detail::FileLock::acquireLater(lockPath, std::chrono::seconds(30),
                                          QStringLiteral("The account list"))
        .then(QtFuture::Launch::Sync,
              [change = std::move(change)](
                  const Result<std::shared_ptr<detail::FileLock>> &lock) -> QFuture<VoidResult> {
                  if (!lock)
                      return ready(VoidResult(lock.error()));
                  return change().then(QtFuture::Launch::Sync,
                                       [held = lock.value()](const VoidResult &changed) {
                                           held->release();
                                           return changed;
                                       });
              })
        .unwrap();
}

QFuture<Result<QList<StoredAccount>>> AccountStore::State::list()
{
    auto self = shared_from_this();
    // Both at once: the index says which accounts there are, the summaries what they are.
    const QFuture<Result<Summaries>> summaries = readSummaries();
    return readIndex()
        .then([self, summaries](const Result<Index> &index) -> QFuture<Result<QList<StoredAccount>>> {
            if (!index)
                return ready(Result<QList<StoredAccount>>(index.error()));
            return QFuture<Result<Summaries>>(summaries)
                .then([self, index = index.value()](const Result<Summaries> &read) {
                    // Summaries that cannot be read are no reason to fail: the items can.
                    return self->accountsOf(index, read ? read.value() : Summaries());
                })
                .unwrap();
        })
        .unwrap();
}

QFuture<Result<Summaries>> AccountStore::State::readSummaries()
{
    auto self = shared_from_this();
    return store->read(summaryKey(0))
        .then([self](const SecretResult &first) -> QFuture<Result<Summaries>> {
            if (!first)
                return ready(Result<Summaries>(first.error()));
            const auto page = first.value() ? detail::unpackSummaries(*first.value()) : std::nullopt;
            if (!page)
                return ready(Result<Summaries>(Summaries()));
            QList<QFuture<SecretResult>> reads;
            for (int number = 1; number < page->pages; ++number)
                reads << self->store->read(summaryKey(number));
            return QtFuture::whenAll(reads.begin(), reads.end())
                .then([page = *page, first = *first.value()](
                          const QList<QFuture<SecretResult>> &rest) -> Result<Summaries> {
                    if (auto error = firstError(rest))
                        return *error;
                    Summaries summaries{true, page.stamp, page.accounts, {first}};
                    for (const QFuture<SecretResult> &read : rest) {
                        const SecretResult item = read.result();
                        const auto more =
                            item.value() ? detail::unpackSummaries(*item.value()) : std::nullopt;
                        if (!more || more->stamp != page.stamp)
                            return Summaries(); // incomplete: the items say it
                        summaries.accounts << more->accounts;
                        summaries.items << *item.value();
                    }
                    return summaries;
                });
        })
        .unwrap();
}

QFuture<Result<QList<StoredAccount>>> AccountStore::State::accountsOf(const Index &index,
                                                                      const Summaries &summaries)
{
    QHash<QString, StoredAccount> known;
    if (summaries.valid && summaries.stamp == detail::indexStamp(index.ids)) {
        for (const StoredAccount &account : summaries.accounts)
            known.insert(account.record.homeAccountId, account);
    }
    QStringList unknown;
    QList<QFuture<SecretResult>> reads;
    for (const QString &id : index.ids) {
        if (!known.contains(id)) {
            unknown << id;
            reads << store->read(accountKey(id));
        }
    }
    return QtFuture::whenAll(reads.begin(), reads.end())
        .then([index, known,
               unknown](const QList<QFuture<SecretResult>> &items) mutable -> Result<QList<StoredAccount>> {
            if (auto error = firstError(items))
                return *error;
            for (int i = 0; i < items.size(); ++i) {
                const SecretResult item = items.at(i).result();
                if (const auto account = item.value() ? parseAccountItem(*item.value()) : std::nullopt)
                    known.insert(unknown.at(i), *account);
            }
            QList<StoredAccount> accounts;
            for (const QString &id : index.ids) {
                if (!known.contains(id)) {
                    qCWarning(lcKeychain) << "the keychain item" << accountKey(id)
                                          << "is missing or damaged; that account is not listed";
                    continue;
                }
                accounts << known.value(id);
                accounts.last().metadata.isDefault = id == index.defaultId;
            }
            return accounts;
        });
}

QFuture<VoidResult> AccountStore::State::updateSummaries(const Index &before, const Index &after,
                                                         const QList<StoredAccount> &changed)
{
    auto self = shared_from_this();
    return readSummaries()
        .then([self, before, index = after, changed](const Result<Summaries> &read) -> QFuture<VoidResult> {
            if (!read)
                return ready(VoidResult(read.error()));
            Summaries current = read.value();
            // Summaries of another index may be stale (an older version of Azid changed the list and
            // perhaps an account): the items then say what each account is.
            if (current.stamp != detail::indexStamp(before.ids))
                current.accounts.clear();
            QSet<QString> changedIds;
            for (const StoredAccount &account : changed)
                changedIds.insert(account.record.homeAccountId);
            current.accounts.removeIf([&changedIds](const StoredAccount &account) {
                return changedIds.contains(account.record.homeAccountId);
            });
            current.accounts << changed;
            current.valid = true;
            current.stamp = detail::indexStamp(index.ids);
            return self->accountsOf(index, current)
                .then([self, stamp = current.stamp, previous = read.value().items](
                          const Result<QList<StoredAccount>> &accounts) -> QFuture<VoidResult> {
                    if (!accounts)
                        return ready(VoidResult(accounts.error()));
                    return self->writeSummaries(accounts.value(), stamp, previous);
                })
                .unwrap();
        })
        .unwrap();
}

QFuture<VoidResult> AccountStore::State::writeSummaries(const QList<StoredAccount> &accounts,
                                                        const QString &stamp, const QList<Secret> &previous)
{
    const QList<Secret> pages = detail::packSummaries(accounts, stamp);
    // The later pages first, then the first one, which says how many there are; only what changed.
    QList<QFuture<VoidResult>> writes;
    for (int page = 1; page < pages.size(); ++page) {
        if (page >= previous.size() || previous.at(page).reveal() != pages.at(page).reveal())
            writes << store->write(summaryKey(page), pages.at(page));
    }
    auto self = shared_from_this();
    const bool firstChanged = previous.isEmpty() || previous.first().reveal() != pages.first().reveal();
    return QtFuture::whenAll(writes.begin(), writes.end())
        .then([self, pages, previousPages = int(previous.size()),
               firstChanged](const QList<QFuture<VoidResult>> &written) -> QFuture<VoidResult> {
            if (auto error = firstError(written))
                return ready(VoidResult(*error));
            QList<QFuture<VoidResult>> rest;
            if (firstChanged)
                rest << self->store->write(summaryKey(0), pages.first());
            for (int page = int(pages.size()); page < previousPages; ++page)
                rest << self->store->remove(summaryKey(page));
            return QtFuture::whenAll(rest.begin(), rest.end())
                .then([](const QList<QFuture<VoidResult>> &done) -> VoidResult {
                    if (auto error = firstError(done))
                        return *error;
                    return Done{};
                });
        })
        .unwrap();
}

QFuture<VoidResult> AccountStore::State::putAll(const QList<StoredAccount> &accounts)
{
    for (const StoredAccount &account : accounts) {
        if (!isValidHomeAccountId(account.record.homeAccountId)) {
            return ready(VoidResult(storageError(
                StorageFailure::InvalidName,
                QStringLiteral("Cannot store the account '%1': its home account id is missing or invalid.")
                    .arg(account.record.username))));
        }
    }
    if (accounts.isEmpty())
        return ready(VoidResult(Done{}));
    auto self = shared_from_this();
    return locked([self, accounts] {
        return self->putLocked(accounts)
            .then(QtFuture::Launch::Sync,
                  [self, accounts](const VoidResult &put) -> QFuture<VoidResult> {
                      if (!put)
                          return ready(put);
                      return self->addUserItems(accounts);
                  })
            .unwrap();
    });
}

QFuture<VoidResult> AccountStore::State::addUserItems(const QList<StoredAccount> &accounts)
{
    QMap<QString, QStringList> idsByUser; // by the user-name item's key: names differ in case only
    QMap<QString, QString> userOfKey;
    for (const StoredAccount &account : accounts) {
        if (account.record.username.isEmpty())
            continue;
        const QString key = userKey(account.record.username);
        idsByUser[key] << account.record.homeAccountId;
        userOfKey.insert(key, account.record.username);
    }
    auto updates = std::make_shared<QList<Step>>();
    auto self = shared_from_this();
    for (auto it = idsByUser.constBegin(); it != idsByUser.constEnd(); ++it) {
        *updates << [self, username = userOfKey.value(it.key()), ids = it.value()] {
            return self->updateUserItem(username, ids, true);
        };
    }
    return inSequence(updates);
}

QFuture<VoidResult> AccountStore::State::updateUserItem(const QString &username,
                                                        const QStringList &changedIds, bool add)
{
    auto self = shared_from_this();
    const QString key = userKey(username);
    return store->read(key)
        .then(QtFuture::Launch::Sync,
              [self, key, changedIds, add](const SecretResult &read) -> QFuture<VoidResult> {
                  if (!read)
                      return ready(VoidResult(read.error()));
                  QStringList ids;
                  if (read.value()) {
                      for (const QJsonValue &value : QJsonDocument::fromJson(read.value()->reveal()).array())
                          ids << value.toString();
                  }
                  const QStringList before = ids;
                  for (const QString &id : changedIds) {
                      ids.removeAll(id);
                      if (add)
                          ids << id;
                  }
                  if (ids == before && read.value())
                      return ready(VoidResult(Done{}));
                  if (ids.isEmpty())
                      return self->store->remove(key);
                  // Too many accounts of one name for one item: no item, and find() lists them all.
                  const Secret item(
                      QJsonDocument(QJsonArray::fromStringList(ids)).toJson(QJsonDocument::Compact));
                  if (item.size() > SecretStore::MaxItemSize)
                      return self->store->remove(key);
                  return self->store->write(key, item);
              })
        .unwrap();
}

QFuture<Result<std::optional<StoredAccount>>> AccountStore::State::readAccount(const QString &id,
                                                                               const QString &defaultId)
{
    using Found = Result<std::optional<StoredAccount>>;
    return store->read(accountKey(id))
        .then(QtFuture::Launch::Sync, [defaultId](const SecretResult &item) -> Found {
            if (!item)
                return item.error();
            if (!item.value())
                return std::optional<StoredAccount>();
            auto account = parseAccountItem(*item.value());
            if (account)
                account->metadata.isDefault = account->record.homeAccountId == defaultId;
            return account;
        });
}

QFuture<Result<std::optional<StoredAccount>>> AccountStore::State::find(const QString &selector)
{
    using Found = Result<std::optional<StoredAccount>>;
    auto self = shared_from_this();
    // The first index page names the default; the rest of the index is not needed.
    return store->read(indexKey(0))
        .then(QtFuture::Launch::Sync,
              [self, selector](const SecretResult &first) -> QFuture<Found> {
                  if (!first)
                      return ready(Found(first.error()));
                  const auto page = first.value() ? fromItem(*first.value()) : std::nullopt;
                  if (!page)
                      return ready(Found(std::optional<StoredAccount>()));
                  const QString defaultId = page->value(QStringLiteral("default")).toString();
                  if (selector.isEmpty()) {
                      if (defaultId.isEmpty())
                          return ready(Found(std::optional<StoredAccount>()));
                      return self->readAccount(defaultId, defaultId);
                  }
                  // A home account id names its item; a user name (with its '@') its user-name item.
                  QFuture<Found> asId = selector.contains(QLatin1Char('@'))
                                            ? ready(Found(std::optional<StoredAccount>()))
                                            : self->readAccount(selector, defaultId);
                  return asId
                      .then(QtFuture::Launch::Sync,
                            [self, selector, defaultId](const Found &byId) -> QFuture<Found> {
                                if (!byId || byId.value())
                                    return ready(byId);
                                return self->store->read(userKey(selector))
                                    .then(QtFuture::Launch::Sync,
                                          [self, defaultId](const SecretResult &user) -> QFuture<Found> {
                                              if (!user)
                                                  return ready(Found(user.error()));
                                              if (!user.value())
                                                  return ready(Found(std::optional<StoredAccount>()));
                                              const QJsonArray ids =
                                                  QJsonDocument::fromJson(user.value()->reveal()).array();
                                              if (ids.size() != 1)
                                                  return ready(Found(std::optional<StoredAccount>()));
                                              return self->readAccount(ids.first().toString(), defaultId);
                                          })
                                    .unwrap();
                            })
                      .unwrap();
              })
        .unwrap();
}

QFuture<VoidResult> AccountStore::State::putLocked(const QList<StoredAccount> &accounts)
{
    auto self = shared_from_this();
    return readIndex()
        .then([self, accounts](const Result<Index> &read) -> QFuture<VoidResult> {
            if (!read)
                return ready(VoidResult(read.error()));
            const Index before = read.value();
            Index after = before;
            auto writes = std::make_shared<QList<Step>>();
            for (const StoredAccount &account : accounts) {
                const QString id = account.record.homeAccountId;
                if (!after.ids.contains(id))
                    after.ids << id;
                if (account.metadata.isDefault)
                    after.defaultId = id;
                else if (after.defaultId == id)
                    after.defaultId.clear();
                *writes << [self, id, item = accountItem(account.record, account.metadata)] {
                    return self->store->write(accountKey(id), item);
                };
            }
            // The accounts first: an index entry never points at nothing because of us. The summaries
            // last: they follow the index and the items.
            return inSequence(writes)
                .then([self, before, after](const VoidResult &written) -> QFuture<VoidResult> {
                    if (!written)
                        return ready(written);
                    if (before.sameContents(after) && before.pages > 0)
                        return ready(VoidResult(Done{}));
                    return self->writeIndex(after, before.pages);
                })
                .unwrap()
                .then([self, before, after, accounts](const VoidResult &written) -> QFuture<VoidResult> {
                    if (!written)
                        return ready(written);
                    return self->updateSummaries(before, after, accounts);
                })
                .unwrap();
        })
        .unwrap();
}

QFuture<VoidResult> AccountStore::State::remove(const QString &homeAccountId)
{
    auto self = shared_from_this();
    return locked([self, homeAccountId] {
        // The user-name item first: it may name nothing, never an account that is not listed.
        return self->store->read(accountKey(homeAccountId))
            .then(QtFuture::Launch::Sync,
                  [self, homeAccountId](const SecretResult &item) -> QFuture<VoidResult> {
                      if (!item)
                          return ready(VoidResult(item.error()));
                      const auto account = item.value() ? parseAccountItem(*item.value()) : std::nullopt;
                      if (!account || account->record.username.isEmpty())
                          return ready(VoidResult(Done{}));
                      return self->updateUserItem(account->record.username, {homeAccountId}, false);
                  })
            .unwrap()
            .then(QtFuture::Launch::Sync,
                  [self, homeAccountId](const VoidResult &updated) -> QFuture<VoidResult> {
                      if (!updated)
                          return ready(updated);
                      return self->removeLocked(homeAccountId);
                  })
            .unwrap();
    });
}

QFuture<VoidResult> AccountStore::State::removeLocked(const QString &homeAccountId)
{
    auto self = shared_from_this();
    return readIndex()
        .then([self, homeAccountId](const Result<Index> &read) -> QFuture<VoidResult> {
            if (!read)
                return ready(VoidResult(read.error()));
            const Index before = read.value();
            Index after = before;
            after.ids.removeAll(homeAccountId);
            if (after.defaultId == homeAccountId)
                after.defaultId.clear();
            QFuture<VoidResult> indexWritten = before.sameContents(after)
                                                   ? ready(VoidResult(Done{}))
                                                   : self->writeIndex(after, before.pages);
            // The index first, so that a failure cannot leave it pointing at a deleted item.
            return indexWritten
                .then([self, homeAccountId](const VoidResult &written) -> QFuture<VoidResult> {
                    if (!written)
                        return ready(written);
                    return self->store->remove(accountKey(homeAccountId));
                })
                .unwrap()
                .then([self, before, after](const VoidResult &removed) -> QFuture<VoidResult> {
                    if (!removed)
                        return ready(removed);
                    return self->updateSummaries(before, after, {});
                })
                .unwrap();
        })
        .unwrap();
}

AccountStore::AccountStore(std::shared_ptr<SecretStore> store, QString lockPath)
    : m_state(std::make_shared<State>())
{
    m_state->store = std::move(store);
    m_state->lockPath = std::move(lockPath);
}

AccountStore::~AccountStore() = default;

QString AccountStore::accountKey(const QString &homeAccountId)
{
    return QStringLiteral("account:") + homeAccountId;
}

QString AccountStore::indexKey(int page)
{
    return QStringLiteral("account-index:%1").arg(page);
}

QString AccountStore::summaryKey(int page)
{
    return QStringLiteral("account-summaries:%1").arg(page);
}

QString AccountStore::userKey(const QString &username)
{
    return QStringLiteral("account-user:") + username.toLower();
}

QFuture<Result<std::optional<StoredAccount>>> AccountStore::find(const QString &selector)
{
    auto state = m_state;
    return state->queue.enqueue<Result<std::optional<StoredAccount>>>(
        [state, selector] { return state->find(selector); });
}

QFuture<Result<QList<StoredAccount>>> AccountStore::list()
{
    auto state = m_state;
    return state->queue.enqueue<Result<QList<StoredAccount>>>([state] { return state->list(); });
}

QFuture<VoidResult> AccountStore::put(const AuthenticationRecord &record, const AccountMetadata &metadata)
{
    return putAll({StoredAccount{record, metadata}});
}

QFuture<VoidResult> AccountStore::putAll(const QList<StoredAccount> &accounts)
{
    auto state = m_state;
    return state->queue.enqueue<VoidResult>([state, accounts] { return state->putAll(accounts); });
}

QFuture<VoidResult> AccountStore::remove(const QString &homeAccountId)
{
    auto state = m_state;
    return state->queue.enqueue<VoidResult>([state, homeAccountId] { return state->remove(homeAccountId); });
}

} // namespace azid
