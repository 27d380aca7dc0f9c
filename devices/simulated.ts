import { defineFarm } from '../src/farm/index.ts';

/**
 * The embedded default farm: one emulated handset per bearer, each behind its own bearer simulator, with test
 * identities from Ofcom's drama range (07700 900xxx) — possible numbers that are never assigned to anyone.
 *
 * Its bearers expect partner enrichment (`x-up-calling-line-id` at the partner host), so the positive
 * control runs: a gateway that stops enriching partners fails as surely as one that leaks to everyone.
 */
const partnerEnrichment = ['x-up-calling-line-id'];

export default defineFarm({
  name: 'simulated',
  bearers: [
    { id: 'o2', name: 'O2 UK', country: 'GB', mccmnc: ['234-10'], partnerEnrichment },
    { id: 'giffgaff', name: 'giffgaff', parent: 'o2', partnerEnrichment },
    { id: 'tesco', name: 'Tesco Mobile', parent: 'o2', partnerEnrichment },
  ],
  handsets: [
    {
      id: 'o2-pixel-7',
      bearer: 'o2',
      emulate: 'Pixel 7',
      proxy: 'sim:o2',
      identity: { msisdn: '447700900101', imsi: '234100000900101', imei: '356938035643809' },
    },
    {
      id: 'giffgaff-iphone-14',
      bearer: 'giffgaff',
      emulate: 'iPhone 14',
      proxy: 'sim:giffgaff',
      identity: { msisdn: '447700900102', imsi: '234100000900102' },
    },
    {
      id: 'tesco-galaxy-s9',
      bearer: 'tesco',
      emulate: 'Galaxy S9+',
      proxy: 'sim:tesco',
      identity: { msisdn: '447700900103', imsi: '234100000900103' },
    },
  ],
});
