#!/usr/bin/env node
console.log('patron-sync: the sync server is not built yet (see README Status).');
