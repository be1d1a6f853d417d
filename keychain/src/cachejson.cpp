#include "cachejson.h"

#include <cctype>

namespace azid::detail {

bool looksLikeCacheJson(const Secret &data)
{
    const QByteArray &bytes = data.reveal(); // looked at in place: no copy of the secret
    qsizetype first = 0;
    qsizetype last = bytes.size() - 1;
    while (first <= last && std::isspace(static_cast<unsigned char>(bytes.at(first))))
        ++first;
    while (last >= first && std::isspace(static_cast<unsigned char>(bytes.at(last))))
        --last;
    return first < last && bytes.at(first) == '{' && bytes.at(last) == '}';
}

} // namespace azid::detail
