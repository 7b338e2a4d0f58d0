// Run by the Job mongodb-replica-set-init (mongosh, as the root user, connected to mongodb-0 directly over TLS). Each
// step happens only when it is missing, so running it again changes nothing but a rotated app password.
const members = ['mongodb-0.mongodb:27017', 'mongodb-1.mongodb:27017', 'mongodb-2.mongodb:27017'];
const tls = 'tls=true&tlsCAFile=/etc/mongodb/tls/ca.crt';
const credentials = `${encodeURIComponent(process.env.ROOT_USERNAME)}:${encodeURIComponent(process.env.ROOT_PASSWORD)}@`;

function until(what, condition) {
  for (let i = 0; i < 120; i++) {
    if (condition()) return;
    sleep(1000);
  }
  throw new Error(`gave up waiting for ${what}`);
}

try {
  rs.status();
} catch (e) {
  if (e.codeName !== 'NotYetInitialized') throw e;
  // Member 0 alone: the others join empty and copy it (they never created users of their own).
  rs.initiate({ _id: 'rs0', members: [{ _id: 0, host: members[0] }] });
}

// Changes to the set and to users go to the primary, wherever it is now.
let primary;
until('a primary', () => (primary = db.hello().primary) !== undefined);
const admin = new Mongo(`mongodb://${credentials}${primary}/admin?directConnection=true&${tls}`).getDB('admin');

// One member per reconfiguration: MongoDB accepts at most one new voting member at a time.
members.forEach((host, id) => {
  const config = admin.adminCommand({ replSetGetConfig: 1 }).config;
  if (config.members.some((m) => m.host === host)) return;
  config.members.push({ _id: id, host });
  config.version += 1;
  const result = admin.adminCommand({ replSetReconfig: config });
  if (!result.ok) throw new Error(`adding ${host} failed: ${tojson(result)}`);
  print(`added ${host}`);
});

const user = { pwd: process.env.APP_PASSWORD, roles: [{ role: 'readWrite', db: 'vapora' }] };
if (admin.getUser('vapora') === null) {
  admin.createUser({ user: 'vapora', ...user }, { w: 'majority' });
  print('created the user vapora');
} else {
  admin.updateUser('vapora', user, { w: 'majority' });
}
print('replica set rs0 and the user vapora are in place');
