// Signing in: the platform's own sign-in page (authorization code + PKCE), or, for an
// operator, a bearer token made with `partyplan token`.

const { inject, ref } = Vue;

export const SignInPage = {
  name: "SignInPage",
  setup() {
    const store = inject("store");
    const pasting = ref(false);
    const token = ref("");
    const tokenError = ref("");
    const signIn = () => store.auth.signIn(location.hash || "#/");
    const useToken = async () => {
      tokenError.value = "";
      try {
        store.auth.useToken(token.value);
      } catch (error) {
        tokenError.value = error.message;
        return;
      }
      await store.reload();
      if (!store.me) {
        store.auth.forget();
        tokenError.value = store.signInError || "令牌无效或已过期";
      }
    };
    return { store, pasting, token, tokenError, signIn, useToken };
  },
  template: `
    <div class="sign-in panel">
      <h1>发展党员指导性计划管理平台</h1>
      <p>省委教育工委和各高校党委组织部监测发展党员计划执行情况。</p>
      <el-alert v-if="store.signInError" :title="store.signInError" type="error" show-icon
                :closable="false" style="margin-bottom: 1rem" data-test="sign-in-error" />
      <el-button type="danger" size="large" style="width: 100%" @click="signIn" data-test="sign-in">
        登录
      </el-button>
      <p style="margin-top: 1.5rem">
        <span class="link-button" @click="pasting = !pasting">使用运维令牌登录</span>
      </p>
      <el-form v-if="pasting" @submit.prevent="useToken" label-position="top">
        <el-form-item label="访问令牌（partyplan token 生成）" :error="tokenError">
          <el-input v-model="token" type="textarea" :rows="3" data-test="token" />
        </el-form-item>
        <el-button native-type="submit">使用令牌</el-button>
      </el-form>
    </div>
  `,
};
