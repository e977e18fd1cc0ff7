// Installs allure-cucumberjs's test runtime (a BeforeAll hook and an ignored Before hook).
// Without this import the allure-js-commons runtime API (allure.attachment, allure.step,
// allure.parameter, ...) called from step code silently does nothing.
import 'allure-cucumberjs';
