#include "azid/ui/claimsmodel.h"

#include "azid/model/jwt.h"

#include <QDateTime>
#include <QTextDocument>

namespace azid::ui {

namespace {
// The claims people look for first, then the rest alphabetically.
const QStringList kFirst{QStringLiteral("aud"),  QStringLiteral("iss"),  QStringLiteral("tid"),
                         QStringLiteral("oid"),  QStringLiteral("upn"),  QStringLiteral("preferred_username"),
                         QStringLiteral("name"), QStringLiteral("scp"),  QStringLiteral("roles"),
                         QStringLiteral("amr"),  QStringLiteral("acrs"), QStringLiteral("xms_cc"),
                         QStringLiteral("iat"),  QStringLiteral("nbf"),  QStringLiteral("exp")};
} // namespace

ClaimsModel::ClaimsModel(QObject *parent)
    : QAbstractTableModel(parent), m_now(QDateTime::currentSecsSinceEpoch())
{}

void ClaimsModel::setClaims(const QJsonObject &claims)
{
    beginResetModel();
    m_claims = claims;
    m_order.clear();
    for (const QString &claim : kFirst) {
        if (claims.contains(claim))
            m_order << claim;
    }
    QStringList rest = claims.keys();
    rest.sort();
    for (const QString &claim : std::as_const(rest)) {
        if (!m_order.contains(claim))
            m_order << claim;
    }
    endResetModel();
}

void ClaimsModel::setNow(qint64 now)
{
    m_now = now;
    for (int row = 0; row < m_order.size(); ++row) {
        if (model::isTimeClaim(m_order[row]))
            emit dataChanged(index(row, ValueColumn), index(row, ValueColumn));
    }
}

QString ClaimsModel::claimAt(int row) const
{
    return m_order.value(row);
}

int ClaimsModel::rowOfClaim(const QString &claim) const
{
    return static_cast<int>(m_order.indexOf(claim));
}

int ClaimsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_order.size());
}

int ClaimsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ClaimsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role == Qt::DisplayRole)
        return displayText(index);
    // Tooltips are rich text when they look like it: what a token says is escaped.
    if (role == Qt::ToolTipRole)
        return Qt::convertFromPlainText(displayText(index), Qt::WhiteSpaceNormal);
    return {};
}

QString ClaimsModel::displayText(const QModelIndex &index) const
{
    const QString claim = m_order[index.row()];
    const QJsonValue value = m_claims.value(claim);
    switch (index.column()) {
    case ClaimColumn:
        return claim;
    case ValueColumn: {
        QString text = model::claimValueText(claim, value);
        if (model::isTimeClaim(claim) && value.isDouble())
            text += QStringLiteral(" — ") + model::relativeTime(*model::timeClaimSeconds(value) - m_now);
        return text;
    }
    case MeaningColumn:
        return model::claimExplanation(claim);
    }
    return {};
}

QVariant ClaimsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case ClaimColumn:
        return tr("Claim");
    case ValueColumn:
        return tr("Value");
    case MeaningColumn:
        return tr("Meaning");
    }
    return {};
}

} // namespace azid::ui
