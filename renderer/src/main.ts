import "./zod-setup.js";
import "./styles.css";
import { createPinia } from "pinia";
import { createApp } from "vue";
import App from "./App.vue";
import { API_KEY, connectApi } from "./api/client.js";

createApp(App).provide(API_KEY, connectApi()).use(createPinia()).mount("#app");
