// The accounts model, checked by QAbstractItemModelTester while rows come, change and go, and what
// each column says.
#include "azid/ui/accountsmodel.h"
#include "fakeclock.h"

#include <QAbstractItemModelTester>
#include <QFont>
#include <QSignalSpy>
#include <QtTest>

using namespace azid;
using namespace azid::model;
using namespace azid::ui;

namespace {

AccountEntry entry(const QString &user, const QString &oid, qint64 validUntil, bool refresh,
                   bool isDefault = false)
{
    AccountEntry e;
    e.stored.record = {QStringLiteral("login.microsoftonline.com"),
                       QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46"),
                       oid + QStringLiteral(".72f988bf-86f1-41af-91ab-2d7cd011db47"),
                       QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47"), user};
    e.stored.metadata.signInMethod = QStringLiteral("browser");
    e.stored.metadata.authorityUrl = QStringLiteral("login.microsoftonline.com");
    e.stored.metadata.lastSignIn = 1700000000;
    e.stored.metadata.isDefault = isDefault;
    e.displayName = user.section(QLatin1Char('@'), 0, 0);
    e.tokens.validUntil = validUntil;
    e.tokens.hasRefreshToken = refresh;
    return e;
}

} // namespace

class TestAccountsModel : public QObject
{
    Q_OBJECT

private:
    test::FakeClock m_clock;

private slots:
    void init() { m_clock.set(1800000000); }

    void rowsComeChangeAndGo()
    {
        AccountsModel model;
        model.setClock(&m_clock);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.columnCount(), int(AccountsModel::ColumnCount));

        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

        const AccountEntry alice =
            entry(QStringLiteral("alice@contoso.test"), QStringLiteral("a"), 1800003600, true, true);
        const AccountEntry bob = entry(QStringLiteral("bob@contoso.test"), QStringLiteral("b"), 0, true);
        const AccountEntry carol = entry(QStringLiteral("carol@contoso.test"), QStringLiteral("c"), 0, false);
        model.setEntries({alice, bob});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(inserted.count(), 2);

        model.setEntries({alice, bob, carol});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.rowOf(carol.id()), 2);

        // bob goes, alice changes: alice keeps row 0, carol moves up.
        AccountEntry aliceLater = alice;
        aliceLater.attention = QStringLiteral("The refresh token was revoked.");
        model.setEntries({aliceLater, carol});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(removed.count(), 1);
        QVERIFY(changed.count() >= 1);
        QCOMPARE(model.rowOf(alice.id()), 0);
        QCOMPARE(model.rowOf(carol.id()), 1);
        QCOMPARE(model.rowOf(bob.id()), -1);
        QCOMPARE(model.index(0, AccountsModel::TokensColumn).data().toString(),
                 QStringLiteral("Needs sign-in"));
        QCOMPARE(reset.count(), 0); // selections survive

        model.setEntries({});
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.entryAt(0));
    }

    void columns()
    {
        AccountsModel model;
        model.setClock(&m_clock);
        model.setTenantNames([](const QString &id) {
            return id == QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47")
                       ? QStringLiteral("contoso.test")
                       : QString();
        });
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        AccountEntry sandbox =
            entry(QStringLiteral("alice@contoso.test"), QStringLiteral("a"), 1800003600, true, true);
        sandbox.stored.record.authority = QStringLiteral("127.0.0.1:8443");
        sandbox.stored.metadata.authorityUrl = QStringLiteral("https://127.0.0.1:8443");
        sandbox.stored.metadata.signInMethod = QStringLiteral("device-code");
        AccountEntry gov = entry(QStringLiteral("bob@contoso.us"), QStringLiteral("b"), 0, true);
        gov.stored.record.authority = QStringLiteral("login.microsoftonline.us");
        gov.stored.metadata.authorityUrl = QStringLiteral("login.microsoftonline.us");
        gov.stored.metadata.signInMethod = QStringLiteral("password");
        AccountEntry imported = entry(QStringLiteral("carol@contoso.test"), QStringLiteral("c"), 0, false);
        imported.stored.metadata.signInMethod = QStringLiteral("imported");
        imported.stored.metadata.lastSignIn = 0;
        model.setEntries({sandbox, gov, imported});

        auto text = [&model](int row, int column) { return model.index(row, column).data().toString(); };
        QCOMPARE(text(0, AccountsModel::UserColumn), QStringLiteral("alice@contoso.test (default)"));
        QVERIFY(model.index(0, AccountsModel::UserColumn).data(Qt::FontRole).value<QFont>().bold());
        QCOMPARE(text(0, AccountsModel::DisplayNameColumn), QStringLiteral("alice"));
        QCOMPARE(text(0, AccountsModel::TenantColumn), QStringLiteral("contoso.test"));
        QCOMPARE(model.index(0, AccountsModel::TenantColumn).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47"));
        QCOMPARE(text(0, AccountsModel::AuthorityColumn), QStringLiteral("127.0.0.1:8443"));
        QCOMPARE(text(1, AccountsModel::AuthorityColumn), QStringLiteral("Azure US Government"));
        QCOMPARE(text(2, AccountsModel::AuthorityColumn), QStringLiteral("Azure public cloud"));
        QCOMPARE(text(0, AccountsModel::ClientIdColumn),
                 QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46"));
        QCOMPARE(text(0, AccountsModel::MethodColumn), QStringLiteral("Device code"));
        QCOMPARE(text(1, AccountsModel::MethodColumn), QStringLiteral("User name and password"));
        QCOMPARE(text(2, AccountsModel::MethodColumn), QStringLiteral("Imported record"));
        QCOMPARE(text(0, AccountsModel::LastSignInColumn), QDateTime::fromSecsSinceEpoch(1700000000)
                                                               .toLocalTime()
                                                               .toString(QStringLiteral("yyyy-MM-dd HH:mm")));
        QCOMPARE(text(2, AccountsModel::LastSignInColumn), QStringLiteral("—"));
        QVERIFY(text(0, AccountsModel::TokensColumn).startsWith(QStringLiteral("Valid until ")));
        QVERIFY(text(0, AccountsModel::TokensColumn).endsWith(QStringLiteral(", refreshable")));
        QCOMPARE(text(1, AccountsModel::TokensColumn), QStringLiteral("Refreshable (no valid access token)"));
        QCOMPARE(text(2, AccountsModel::TokensColumn), QStringLiteral("Needs sign-in"));
        QVERIFY(model.index(0, AccountsModel::TokensColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("refresh token")));

        QCOMPARE(model.index(0, 0).data(AccountsModel::AccountIdRole).toString(), sandbox.id());
        QCOMPARE(model.index(0, 0).data(AccountsModel::IsDefaultRole).toBool(), true);
        QCOMPARE(model.index(1, 0).data(AccountsModel::IsDefaultRole).toBool(), false);
        QCOMPARE(model.index(0, 0).data(AccountsModel::NeedsSignInRole).toBool(), false);
        QCOMPARE(model.index(2, 0).data(AccountsModel::NeedsSignInRole).toBool(), true);
        QCOMPARE(model.index(0, 0).data(AccountsModel::ValidUntilRole).toLongLong(), 1800003600);

        // Time passes: the access token expires, the refresh token remains.
        m_clock.advance(7200);
        QCOMPARE(text(0, AccountsModel::TokensColumn), QStringLiteral("Refreshable (no valid access token)"));

        QCOMPARE(model.headerData(AccountsModel::UserColumn, Qt::Horizontal).toString(),
                 QStringLiteral("User"));
        QCOMPARE(model.headerData(AccountsModel::TokensColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Tokens"));
    }
};

QTEST_MAIN(TestAccountsModel)
#include "tst_accountsmodel.moc"
