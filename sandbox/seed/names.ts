// Word lists for seeded people, accounts and counterparties. All fictional; emails use the reserved example domains.

export const firstNames = [
  'Olivia', 'Amelia', 'Isla', 'Ava', 'Mia', 'Ivy', 'Lily', 'Freya', 'Grace', 'Sophia', 'Chloe', 'Priya', 'Aisha',
  'Fatima', 'Mei', 'Yuki', 'Sofia', 'Elena', 'Nadia', 'Zara', 'Hannah', 'Emily', 'Maya', 'Leila', 'Ines', 'Ruth',
  'Noah', 'Oliver', 'George', 'Arthur', 'Leo', 'Harry', 'Oscar', 'Jack', 'Theo', 'Henry', 'Samuel', 'Daniel',
  'Mohammed', 'Omar', 'Arjun', 'Rohan', 'Kenji', 'Wei', 'Mateo', 'Lucas', 'Diego', 'Tomasz', 'Kwame', 'Tunde',
  'James', 'Michael', 'David', 'Ethan', 'Isaac', 'Gabriel', 'Felix', 'Hugo', 'Ravi', 'Sean',
] as const;

export const lastNames = [
  'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Patel', 'Robinson', 'Wright',
  'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Wood', 'Jackson', 'Clarke', 'Khan', 'Ahmed',
  'Singh', 'Chen', 'Wang', 'Nguyen', 'Kim', 'Tanaka', 'Garcia', 'Martinez', 'Rossi', 'Novak', 'Kowalski', 'Okafor',
  'Mensah', 'Murphy', "O'Brien", 'Fraser', 'Campbell', 'Hughes', 'Edwards', 'Lewis', 'Harris', 'Martin', 'Cooper',
  'Ward', 'Morris', 'Bennett', 'Price', 'Rivera', 'Cohen', 'Schmidt', 'Dubois', 'Silva', 'Haddad', 'Ivanova',
] as const;

export const emailDomains = ['example.com', 'example.org', 'example.net'] as const;

export const personalNicknames = {
  current: ['Everyday', 'Main account', 'Bills', 'Joint account', 'Spending', 'Household'],
  savings: ['Rainy day', 'Holiday pot', 'House deposit', 'Emergency fund', 'Savings'],
  money_market: ['Reserve', 'Money market'],
} as const;

export const corporatePurposes = ['Operating', 'Payroll', 'Collections', 'Payables', 'Treasury', 'Tax reserve', 'Escrow'];

export const employers = [
  'BRIGHTWATER LTD', 'HOLLOWAY & CO', 'NORTHGATE HEALTH', 'CEDAR LOGISTICS', 'BLUEFIN STUDIOS', 'MERIDIAN SCHOOLS',
  'REDWOOD ENGINEERING', 'SILVERLINE RETAIL',
] as const;

export const merchants = {
  uk: ['Corner Grocer', 'High Street Pharmacy', 'Metro Rail', 'City Buses', 'Bean & Leaf Cafe', 'Northfield Petrol',
    'Hearth Bakery', 'Page Turner Books', 'Quickmart', 'Riverside Cinema', 'The Crown & Anchor', 'Streamline TV'],
  us: ['Corner Grocer', 'Main St Pharmacy', 'Metro Transit', 'Gas & Go', 'Bean & Leaf Cafe', 'Sunrise Diner',
    'Hearth Bakery', 'Page Turner Books', 'QuickMart', 'Riverside Cinema', 'Rideshare Co', 'Streamline TV'],
} as const;

export const bills = {
  uk: ['Council Tax', 'Bright Energy', 'Clearwater Utilities', 'Signal Mobile', 'FitLife Gym', 'HomeNet Broadband'],
  us: ['City Water Dept', 'Bright Energy', 'Signal Wireless', 'FitLife Gym', 'HomeNet Internet', 'Shield Insurance'],
} as const;

export const suppliers = [
  'Apex Components', 'Harbor Freight Partners', 'Keystone Packaging', 'Summit Cloud Services', 'Evergreen Facilities',
  'Ironbridge Legal', 'Lumen Marketing', 'Polar Logistics', 'Vertex Staffing', 'Oakridge Office Supply',
] as const;

export const clients = [
  'Initech', 'Umbrella Retail', 'Stark Distribution', 'Wayne Hospitality', 'Tyrell Systems', 'Cyberdyne Foods',
  'Soylent Markets', 'Hooli Media', 'Vandelay Imports', 'Wonka Confectionery', 'Dunder Paper', 'Pied Piper Data',
] as const;
