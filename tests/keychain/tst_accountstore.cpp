// AccountStore over the in-memory store: the list survives a restart, items stay small, the index splits.
#include "azid/keychain/accountstore.h"
#include "azid/keychain/memorysecretstore.h"
#include "keychaintesthelpers.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace azid;
using azid::keychaintest::waitFor;

namespace {

AuthenticationRecord record(int n)
{
    AuthenticationRecord r;
    r.authority = QStringLiteral("login.microsoftonline.com");
    r.clientId = QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46");
    r.homeAccountId = QStringLiteral("%1-1111-2222-3333-444444444444.72f988bf-86f1-41af-91ab-2d7cd011db47")
                          .arg(n, 8, 10, QLatin1Char('0'));
    r.tenantId = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
    r.username = QStringLiteral("user%1@example.com").arg(n);
    return r;
}

AccountMetadata metadata(bool isDefault = false)
{
    AccountMetadata m;
    m.signInMethod = QStringLiteral("device-code");
    m.authorityUrl = QStringLiteral("https://login.microsoftonline.com/organizations");
    m.lastSignIn = 1700000000;
    m.isDefault = isDefault;
    return m;
}

QList<StoredAccount> listOf(AccountStore &accounts)
{
    const auto listed = waitFor(accounts.list());
    if (!listed || !listed->ok())
        return {};
    return listed->value();
}

// A keychain in memory that counts reads.
class CountingStore final : public SecretStore
{
public:
    QFuture<SecretResult> read(const QString &key) override
    {
        ++reads;
        return m_items.read(key);
    }
    QFuture<VoidResult> write(const QString &key, const Secret &secret) override
    {
        ++writes[key.section(QLatin1Char(':'), 0, 0)];
        return m_items.write(key, secret);
    }
    QFuture<VoidResult> remove(const QString &key) override { return m_items.remove(key); }
    QHash<QString, Secret> items() const { return m_items.items(); }
    int reads = 0;
    QHash<QString, int> writes; // by the kind of item: "account", "account-index", ...

private:
    MemorySecretStore m_items;
};

// An account's item as AccountStore writes it.
QJsonObject detailItem(const AuthenticationRecord &r)
{
    QJsonObject object;
    object.insert(QStringLiteral("version"), 1);
    object.insert(QStringLiteral("record"), QJsonDocument::fromJson(r.serialize().toUtf8()).object());
    object.insert(QStringLiteral("signInMethod"), QStringLiteral("device-code"));
    object.insert(QStringLiteral("authorityUrl"),
                  QStringLiteral("https://login.microsoftonline.com/organizations"));
    object.insert(QStringLiteral("lastSignIn"), 1700000000);
    return object;
}

} // namespace

class TestAccountStore : public QObject
{
    Q_OBJECT

private slots:
    void putAndListSurviveARestart()
    {
        auto store = std::make_shared<MemorySecretStore>();
        {
            AccountStore accounts(store);
            QVERIFY(listOf(accounts).isEmpty());
            QVERIFY(waitFor(accounts.put(record(1), metadata(true)))->ok());
            QVERIFY(waitFor(accounts.put(record(2), metadata()))->ok());
        }
        AccountStore restarted(store);
        const QList<StoredAccount> listed = listOf(restarted);
        QCOMPARE(listed.size(), 2);
        QCOMPARE(listed.at(0).record, record(1));
        QCOMPARE(listed.at(0).metadata, metadata(true));
        QCOMPARE(listed.at(1).record, record(2));
        QCOMPARE(listed.at(1).metadata, metadata(false));
        QVERIFY(store->items().contains(AccountStore::accountKey(record(1).homeAccountId)));
        QVERIFY(store->items().contains(AccountStore::indexKey(0)));
    }

    void putReplacesTheSameAccount()
    {
        auto store = std::make_shared<MemorySecretStore>();
        AccountStore accounts(store);
        QVERIFY(waitFor(accounts.put(record(1), metadata()))->ok());
        AccountMetadata later = metadata();
        later.lastSignIn = 1800000000;
        later.signInMethod = QStringLiteral("browser");
        QVERIFY(waitFor(accounts.put(record(1), later))->ok());
        const QList<StoredAccount> listed = listOf(accounts);
        QCOMPARE(listed.size(), 1);
        QCOMPARE(listed.first().metadata, later);
    }

    void oneDefaultAtMost()
    {
        AccountStore accounts(std::make_shared<MemorySecretStore>());
        QVERIFY(waitFor(accounts.put(record(1), metadata(true)))->ok());
        QVERIFY(waitFor(accounts.put(record(2), metadata(true)))->ok());
        QList<StoredAccount> listed = listOf(accounts);
        QCOMPARE(listed.size(), 2);
        QVERIFY(!listed.at(0).metadata.isDefault);
        QVERIFY(listed.at(1).metadata.isDefault);
        QVERIFY(waitFor(accounts.put(record(2), metadata(false)))->ok());
        listed = listOf(accounts);
        QVERIFY(!listed.at(0).metadata.isDefault && !listed.at(1).metadata.isDefault);
    }

    void removeDeletesTheItems()
    {
        auto store = std::make_shared<MemorySecretStore>();
        AccountStore accounts(store);
        QVERIFY(waitFor(accounts.put(record(1), metadata(true)))->ok());
        QVERIFY(waitFor(accounts.put(record(2), metadata()))->ok());
        QVERIFY(waitFor(accounts.remove(record(1).homeAccountId))->ok());
        const QList<StoredAccount> listed = listOf(accounts);
        QCOMPARE(listed.size(), 1);
        QCOMPARE(listed.first().record, record(2));
        QVERIFY(!store->items().contains(AccountStore::accountKey(record(1).homeAccountId)));
        QVERIFY(waitFor(accounts.remove(QStringLiteral("unknown.id")))->ok());
    }

    // Every item stays under the keychain limit; past it, the index continues in further items, and
    // shrinks back when accounts go.
    void manyAccountsSplitTheIndex()
    {
        auto store = std::make_shared<MemorySecretStore>();
        AccountStore accounts(store);
        const int count = 80;
        for (int i = 0; i < count; ++i)
            QVERIFY(waitFor(accounts.put(record(i), metadata(i == 7)))->ok());
        const auto items = store->items();
        for (auto it = items.begin(); it != items.end(); ++it)
            QVERIFY2(it->size() <= SecretStore::MaxItemSize, qPrintable(it.key()));
        QVERIFY(items.contains(AccountStore::indexKey(1)));

        AccountStore restarted(store);
        QList<StoredAccount> listed = listOf(restarted);
        QCOMPARE(listed.size(), count);
        for (int i = 0; i < count; ++i) {
            QCOMPARE(listed.at(i).record, record(i));
            QCOMPARE(listed.at(i).metadata.isDefault, i == 7);
        }

        for (int i = 1; i < count; ++i)
            QVERIFY(waitFor(restarted.remove(record(i).homeAccountId))->ok());
        QVERIFY(!store->items().contains(AccountStore::indexKey(1)));
        // One account, its user-name item, one index item, one summary item.
        QCOMPARE(store->items().size(), 4);
        QVERIFY(!store->items().contains(AccountStore::summaryKey(1)));
        listed = listOf(restarted);
        QCOMPARE(listed.size(), 1);
        QCOMPARE(listed.first().record, record(0));
    }

    // Listed from the items (no summaries: as an older version of Azid left the keychain), a damaged or
    // missing item is skipped.
    void damagedOrMissingItemsAreSkipped()
    {
        auto store = std::make_shared<MemorySecretStore>();
        AccountStore accounts(store);
        QVERIFY(waitFor(accounts.put(record(1), metadata()))->ok());
        QVERIFY(waitFor(accounts.put(record(2), metadata()))->ok());
        QVERIFY(waitFor(accounts.put(record(3), metadata()))->ok());
        QVERIFY(waitFor(store->remove(AccountStore::summaryKey(0)))->ok());
        QVERIFY(waitFor(store->write(AccountStore::accountKey(record(1).homeAccountId),
                                     Secret(QByteArrayLiteral("{not json"))))
                    ->ok());
        QVERIFY(waitFor(store->remove(AccountStore::accountKey(record(2).homeAccountId)))->ok());
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("is missing or damaged")));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("is missing or damaged")));
        const QList<StoredAccount> listed = listOf(accounts);
        QCOMPARE(listed.size(), 1);
        QCOMPARE(listed.first().record, record(3));
    }

    void unavailableStore()
    {
        auto store = std::make_shared<MemorySecretStore>();
        store->setFailure(
            AuthError::unavailable(QStringLiteral("No keychain (Secret Service) is reachable.")));
        AccountStore accounts(store);
        const auto listed = waitFor(accounts.list());
        QVERIFY(listed && !listed->ok());
        QVERIFY(listed->error().message.startsWith(QStringLiteral("No keychain")));
        QVERIFY(!waitFor(accounts.put(record(1), metadata()))->ok());
        QVERIFY(!waitFor(accounts.remove(record(1).homeAccountId))->ok());
    }

    // One account out of 300 costs the same few reads as out of one: the first index page (for the
    // default), the user-name item for a user name, the account's item.
    void findReadsAFixedNumberOfItems()
    {
        auto store = std::make_shared<CountingStore>();
        AccountStore accounts(store);
        for (int n = 1; n <= 300; ++n)
            QVERIFY(waitFor(accounts.put(record(n), metadata(n == 7)))->ok());
        QVERIFY(store->items().size() > 300 + 300); // account and user-name items, index pages

        const struct
        {
            QString selector;
            int expected;
            int maxReads;
        } cases[] = {{QString(), 7, 2},
                     {record(123).homeAccountId, 123, 2},
                     {QStringLiteral("USER250@example.com"), 250, 3}};
        for (const auto &c : cases) {
            store->reads = 0;
            const auto found = waitFor(accounts.find(c.selector));
            QVERIFY(found && found->ok());
            QVERIFY2(found->value().has_value(), qPrintable(c.selector));
            QCOMPARE(found->value()->record.homeAccountId, record(c.expected).homeAccountId);
            QCOMPARE(found->value()->metadata.isDefault, c.expected == 7);
            QVERIFY2(store->reads <= c.maxReads, qPrintable(QStringLiteral("%1 reads").arg(store->reads)));
        }
        // No match: the caller lists (and says what is there).
        const auto nobody = waitFor(accounts.find(QStringLiteral("nobody@example.com")));
        QVERIFY(nobody && nobody->ok() && !nobody->value());

        // Removed: its user-name item goes with it.
        QVERIFY(waitFor(accounts.remove(record(250).homeAccountId))->ok());
        QVERIFY(!store->items().contains(AccountStore::userKey(QStringLiteral("user250@example.com"))));
        const auto gone = waitFor(accounts.find(QStringLiteral("user250@example.com")));
        QVERIFY(gone && gone->ok() && !gone->value());
    }

    // A list of 300 accounts reads the index and the summaries, a few dozen items, not one per account.
    void listReadsAFewItems()
    {
        auto store = std::make_shared<CountingStore>();
        AccountStore accounts(store);
        for (int n = 1; n <= 300; ++n)
            QVERIFY(waitFor(accounts.put(record(n), metadata(n == 7)))->ok());
        int indexPages = 0;
        int summaryPages = 0;
        const auto items = store->items();
        for (auto it = items.begin(); it != items.end(); ++it) {
            QVERIFY2(it->size() <= SecretStore::MaxItemSize, qPrintable(it.key()));
            indexPages += it.key().startsWith(QStringLiteral("account-index:"));
            summaryPages += it.key().startsWith(QStringLiteral("account-summaries:"));
        }
        QVERIFY(summaryPages > 1);
        QVERIFY2(summaryPages * 8 < 300, qPrintable(QStringLiteral("%1 summary pages").arg(summaryPages)));

        store->reads = 0;
        AccountStore restarted(store);
        const QList<StoredAccount> listed = listOf(restarted);
        QCOMPARE(store->reads, indexPages + summaryPages);
        QCOMPARE(listed.size(), 300);
        for (int n = 1; n <= 300; ++n) {
            QCOMPARE(listed.at(n - 1).record, record(n));
            QCOMPARE(listed.at(n - 1).metadata.isDefault, n == 7);
            QCOMPARE(listed.at(n - 1).metadata.signInMethod, QStringLiteral("device-code"));
        }

        // A change of one account reaches the list; a removal too.
        AccountMetadata changed = metadata();
        changed.signInMethod = QStringLiteral("browser");
        changed.shareWithAzureTools = true;
        QVERIFY(waitFor(restarted.put(record(150), changed))->ok());
        QVERIFY(waitFor(restarted.remove(record(151).homeAccountId))->ok());
        const QList<StoredAccount> after = listOf(restarted);
        QCOMPARE(after.size(), 299);
        QCOMPARE(after.at(149).metadata, changed);
        QCOMPARE(after.at(150).record, record(152));
    }

    // A batch (an import) stores what one put after another stores, writing the index and the
    // summaries once instead of once per account.
    void putAllWritesTheListOnce()
    {
        QList<StoredAccount> batch;
        // Enough accounts for several index and summary pages; the one-by-one reference is quadratic.
        for (int n = 1; n <= 120; ++n)
            batch << StoredAccount{record(n), metadata(n == 7)};
        auto oneByOne = std::make_shared<CountingStore>();
        AccountStore single(oneByOne);
        QVERIFY(waitFor(single.put(record(1000), metadata(true)))->ok());
        for (const StoredAccount &account : std::as_const(batch))
            QVERIFY(waitFor(single.put(account.record, account.metadata))->ok());

        auto batched = std::make_shared<CountingStore>();
        AccountStore accounts(batched);
        QVERIFY(waitFor(accounts.put(record(1000), metadata(true)))->ok());
        batched->writes.clear();
        QVERIFY(waitFor(accounts.putAll(batch))->ok());
        QCOMPARE(batched->items(), oneByOne->items());
        int indexPages = 0;
        int summaryPages = 0;
        for (const QString &key : batched->items().keys()) {
            indexPages += key.startsWith(QStringLiteral("account-index:"));
            summaryPages += key.startsWith(QStringLiteral("account-summaries:"));
        }
        QCOMPARE(batched->writes.value(QStringLiteral("account")), 120);
        QCOMPARE(batched->writes.value(QStringLiteral("account-user")), 120);
        QCOMPARE(batched->writes.value(QStringLiteral("account-index")), indexPages);
        QVERIFY(batched->writes.value(QStringLiteral("account-summaries")) <= summaryPages);

        const QList<StoredAccount> listed = listOf(accounts);
        QCOMPARE(listed.size(), 121);
        QCOMPARE(listed.at(7).record, record(7));
        QVERIFY(listed.at(7).metadata.isDefault);
        QVERIFY(!listed.at(0).metadata.isDefault);

        // One invalid account: nothing of the batch is stored.
        AuthenticationRecord invalid = record(400);
        invalid.homeAccountId.clear();
        batched->writes.clear();
        QVERIFY(
            !waitFor(accounts.putAll({StoredAccount{record(401), metadata()}, {invalid, metadata()}}))->ok());
        QVERIFY(batched->writes.isEmpty());
    }

    // An index that changed without the summaries (an older version of Azid added an account, or the
    // summaries are damaged): the list reads the items and misses nothing; the next change writes the
    // summaries again.
    void staleOrDamagedSummariesFallBackToTheItems()
    {
        auto store = std::make_shared<CountingStore>();
        AccountStore accounts(store);
        for (int n = 1; n <= 20; ++n)
            QVERIFY(waitFor(accounts.put(record(n), metadata()))->ok());
        // What an older version writes: the account's item and the index, no summary.
        QVERIFY(waitFor(store->write(AccountStore::accountKey(record(21).homeAccountId),
                                     Secret(QJsonDocument(detailItem(record(21))).toJson())))
                    ->ok());
        const auto page = waitFor(store->read(AccountStore::indexKey(0)));
        QVERIFY(page && page->ok() && page->value());
        QJsonObject index = QJsonDocument::fromJson(page->value()->reveal()).object();
        QJsonArray ids = index.value(QStringLiteral("accounts")).toArray();
        ids.append(record(21).homeAccountId);
        index.insert(QStringLiteral("accounts"), ids);
        QVERIFY(
            waitFor(store->write(AccountStore::indexKey(0), Secret(QJsonDocument(index).toJson())))->ok());

        QList<StoredAccount> listed = listOf(accounts);
        QCOMPARE(listed.size(), 21);
        QCOMPARE(listed.last().record, record(21));

        QVERIFY(waitFor(store->write(AccountStore::summaryKey(0), Secret(QByteArrayLiteral("\0\0\0\4xxxx"))))
                    ->ok());
        listed = listOf(accounts);
        QCOMPARE(listed.size(), 21);
        QCOMPARE(listed.first().record, record(1));

        // The next change writes them again: the list reads no account item.
        QVERIFY(waitFor(accounts.put(record(5), metadata(true)))->ok());
        store->reads = 0;
        listed = listOf(accounts);
        QCOMPARE(listed.size(), 21);
        QVERIFY(listed.at(4).metadata.isDefault);
        QCOMPARE(store->reads, 2); // one index page, one summary page
    }

    void invalidHomeAccountId()
    {
        AccountStore accounts(std::make_shared<MemorySecretStore>());
        AuthenticationRecord bad = record(1);
        bad.homeAccountId.clear();
        const auto put = waitFor(accounts.put(bad, metadata()));
        QVERIFY(put && !put->ok());
        QVERIFY(put->error().message.contains(QStringLiteral("home account id")));
    }
};

QTEST_GUILESS_MAIN(TestAccountStore)
#include "tst_accountstore.moc"
