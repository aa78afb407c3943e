// Money for the admin pages: the same formatting the server uses (integer minor units + currency).
export { describePrice, formatMoney, minorPerMajor, parseMoney } from '../../../../src/modules/catalog/money.js';
