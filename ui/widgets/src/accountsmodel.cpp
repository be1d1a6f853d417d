#include "azid/ui/accountsmodel.h"

#include "azid/model/cloud.h"
#include "azid/model/jwt.h"

#include <QColor>
#include <QDateTime>
#include <QFont>

namespace azid::ui {

AccountsModel::AccountsModel(model::AccountService *service, QObject *parent)
    : QAbstractTableModel(parent), m_service(service), m_clock(service ? &service->clock() : &Clock::system())
{
    if (service) {
        connect(service, &model::AccountService::accountsChanged, this,
                [this]() { setEntries(m_service->accounts()); });
        setEntries(service->accounts());
    }
    m_refresh.setInterval(std::chrono::seconds(30));
    connect(&m_refresh, &QTimer::timeout, this, [this]() {
        if (!m_entries.isEmpty())
            emit dataChanged(index(0, TokensColumn), index(rowCount() - 1, TokensColumn));
    });
    m_refresh.start();
}

void AccountsModel::setClock(const Clock *clock)
{
    m_clock = clock ? clock : &Clock::system();
}

void AccountsModel::setTenantNames(std::function<QString(const QString &)> lookup)
{
    m_tenantNames = std::move(lookup);
    if (!m_entries.isEmpty())
        emit dataChanged(index(0, TenantColumn), index(rowCount() - 1, TenantColumn));
}

void AccountsModel::setEntries(const QList<model::AccountEntry> &entries)
{
    // Rows that went away, from the bottom up.
    for (int row = static_cast<int>(m_entries.size()) - 1; row >= 0; --row) {
        const QString id = m_entries[row].id();
        const bool kept = std::any_of(entries.begin(), entries.end(),
                                      [&id](const model::AccountEntry &entry) { return entry.id() == id; });
        if (!kept) {
            beginRemoveRows({}, row, row);
            m_entries.removeAt(row);
            endRemoveRows();
        }
    }
    // Rows that stay are updated in place; new ones are appended.
    for (const model::AccountEntry &entry : entries) {
        const int row = rowOf(entry.id());
        if (row >= 0) {
            m_entries[row] = entry;
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
        } else {
            const int at = static_cast<int>(m_entries.size());
            beginInsertRows({}, at, at);
            m_entries.append(entry);
            endInsertRows();
        }
    }
}

std::optional<model::AccountEntry> AccountsModel::entryAt(int row) const
{
    if (row < 0 || row >= m_entries.size())
        return std::nullopt;
    return m_entries[row];
}

int AccountsModel::rowOf(const QString &accountId) const
{
    for (int row = 0; row < m_entries.size(); ++row) {
        if (m_entries[row].id() == accountId)
            return row;
    }
    return -1;
}

int AccountsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int AccountsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString AccountsModel::tenantText(const model::AccountEntry &entry) const
{
    const QString id = entry.record().tenantId;
    const QString name = m_tenantNames ? m_tenantNames(id) : QString();
    return name.isEmpty() ? id : name;
}

QString AccountsModel::tokenStateText(const model::AccountEntry &entry) const
{
    const qint64 now = m_clock->now();
    if (!entry.attention.isEmpty())
        return tr("Needs sign-in");
    if (entry.unsaved)
        return tr("Not saved yet: waits for the keychain");
    if (entry.tokens.validUntil > now) {
        const QString until = QDateTime::fromSecsSinceEpoch(entry.tokens.validUntil)
                                  .toLocalTime()
                                  .toString(QStringLiteral("HH:mm"));
        //: %1 is the time of day the access token expires
        return entry.tokens.hasRefreshToken ? tr("Valid until %1, refreshable").arg(until)
                                            : tr("Valid until %1").arg(until);
    }
    if (entry.tokens.hasRefreshToken)
        return tr("Refreshable (no valid access token)");
    return tr("Needs sign-in");
}

QString AccountsModel::authorityText(const model::AccountEntry &entry) const
{
    const AccountMetadata &metadata = entry.stored.metadata;
    const QString authority =
        metadata.authorityUrl.isEmpty() ? entry.record().authority : metadata.authorityUrl;
    const model::Cloud cloud = model::cloudOfAuthority(authority);
    return cloud == model::Cloud::Custom ? model::authorityHostPort(authority)
                                         : model::cloudDisplayName(cloud);
}

QVariant AccountsModel::displayData(const model::AccountEntry &entry, int column) const
{
    const AuthenticationRecord &record = entry.record();
    const AccountMetadata &metadata = entry.stored.metadata;
    switch (column) {
    case UserColumn:
        return metadata.isDefault ? tr("%1 (default)").arg(record.username) : record.username;
    case DisplayNameColumn:
        return entry.displayName;
    case TenantColumn:
        return tenantText(entry);
    case AuthorityColumn:
        return authorityText(entry);
    case ClientIdColumn:
        return record.clientId;
    case MethodColumn:
        return model::signInMethodName(metadata.signInMethod);
    case LastSignInColumn:
        return metadata.lastSignIn > 0 ? QDateTime::fromSecsSinceEpoch(metadata.lastSignIn)
                                             .toLocalTime()
                                             .toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                                       : QStringLiteral("—");
    case TokensColumn:
        return tokenStateText(entry);
    }
    return {};
}

QString AccountsModel::sharedToolTip(const model::AccountEntry &entry) const
{
    if (m_service && !m_service->canShareWithAzureTools())
        return m_service->shareWithAzureToolsUnavailableReason();
    return entry.stored.metadata.shareWithAzureTools
               ? tr("%1's sign-ins and token refreshes are copied into azure.identity's shared token "
                    "cache, for SharedTokenCacheCredential and other Microsoft tools. Uncheck to "
                    "remove it from there.")
                     .arg(entry.record().username)
               : tr("Check to copy %1's sign-ins and token refreshes into azure.identity's shared "
                    "token cache, for SharedTokenCacheCredential and other Microsoft tools.")
                     .arg(entry.record().username);
}

QString AccountsModel::tokensToolTip(const model::AccountEntry &entry) const
{
    const qint64 now = m_clock->now();
    QStringList lines;
    if (!entry.attention.isEmpty())
        lines << entry.attention;
    if (entry.unsaved)
        lines << tr("Signed in while the keychain could not be written: kept in memory, and saved "
                    "as soon as the keychain opens.");
    if (entry.tokens.validUntil > now)
        //: %1 is when it expires ("in 5 min"), %2 its scopes
        lines << tr("An access token is valid %1 (for %2).")
                     .arg(model::relativeTime(entry.tokens.validUntil - now),
                          entry.tokens.validScopes.join(QStringLiteral(", ")));
    lines << (entry.tokens.hasRefreshToken
                  ? tr("A refresh token is cached: new tokens come without a sign-in.")
                  : tr("No refresh token is cached: sign in again for new tokens."));
    return lines.join(QLatin1Char('\n'));
}

QVariant AccountsModel::toolTipData(const model::AccountEntry &entry, int column) const
{
    const AuthenticationRecord &record = entry.record();
    switch (column) {
    case TenantColumn:
        return record.tenantId;
    case AuthorityColumn:
        return QStringLiteral("%1 (%2)").arg(entry.stored.metadata.authorityUrl, record.authority);
    case SharedColumn:
        return sharedToolTip(entry);
    case TokensColumn:
        return tokensToolTip(entry);
    default:
        return tr("%1\nHome account: %2").arg(record.username, record.homeAccountId);
    }
}

QVariant AccountsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const model::AccountEntry &entry = m_entries[index.row()];
    const AccountMetadata &metadata = entry.stored.metadata;
    const qint64 now = m_clock->now();
    switch (role) {
    case Qt::DisplayRole:
        return displayData(entry, index.column());
    case Qt::CheckStateRole:
        if (index.column() == SharedColumn)
            return metadata.shareWithAzureTools ? Qt::Checked : Qt::Unchecked;
        return {};
    case Qt::AccessibleTextRole:
        if (index.column() == SharedColumn)
            return metadata.shareWithAzureTools ? tr("Shared with Azure tools")
                                                : tr("Not shared with Azure tools");
        return {};
    case Qt::ToolTipRole:
        return toolTipData(entry, index.column());
    case Qt::FontRole:
        if (metadata.isDefault && index.column() == UserColumn) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() == TokensColumn && entry.needsSignIn(now))
            return QColor(0xc5, 0x0f, 0x1f);
        return {};
    case AccountIdRole:
        return entry.record().homeAccountId;
    case NeedsSignInRole:
        return entry.needsSignIn(now);
    case IsDefaultRole:
        return metadata.isDefault;
    case ValidUntilRole:
        return entry.tokens.validUntil;
    case SharesWithAzureToolsRole:
        return metadata.shareWithAzureTools;
    }
    return {};
}

Qt::ItemFlags AccountsModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags flags = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == SharedColumn && m_service && m_service->canShareWithAzureTools())
        flags |= Qt::ItemIsUserCheckable;
    return flags;
}

bool AccountsModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) ||
        index.column() != SharedColumn || role != Qt::CheckStateRole || !m_service ||
        !m_service->canShareWithAzureTools())
        return false;
    const bool share = value.toInt() == Qt::Checked;
    if (share == m_entries[index.row()].stored.metadata.shareWithAzureTools)
        return true;
    // The service shows the new value at once (accountsChanged) and says so if it cannot be kept.
    m_service->setShareWithAzureTools(m_entries[index.row()].id(), share);
    return true;
}

QVariant AccountsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case UserColumn:
        return tr("User");
    case DisplayNameColumn:
        return tr("Name");
    case TenantColumn:
        return tr("Tenant");
    case AuthorityColumn:
        return tr("Cloud / authority");
    case ClientIdColumn:
        return tr("Client ID");
    case MethodColumn:
        return tr("Sign-in method");
    case LastSignInColumn:
        return tr("Last sign-in");
    case SharedColumn:
        return tr("Azure tools");
    case TokensColumn:
        return tr("Tokens");
    }
    return {};
}

} // namespace azid::ui
