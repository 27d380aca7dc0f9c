/** O2 UK as the end-to-end farms define it: the partner host is owed the number (the positive control runs). */
export const O2_WITH_PARTNER = {
  id: 'o2',
  name: 'O2 UK',
  country: 'GB',
  mccmnc: ['234-10'],
  partnerEnrichment: ['x-up-calling-line-id'],
};
